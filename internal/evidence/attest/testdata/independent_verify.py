#!/usr/bin/env python3
"""An independent verifier of corefence attestations.

It shares no code with corefence: DSSE's pre-authentication encoding is
written here from the DSSE specification (envelope.md, protocol.md), Ed25519
signatures are checked by securesystemslib (Debian python3-securesystemslib),
the Statement is checked against the in-toto attestation framework's v1
Statement and ResourceDescriptor shapes, and a site proof against RFC 9162's
inclusion-proof verification, from docs/evidence.md's leaf encoding.

usage: independent_verify.py ENVELOPE THRESHOLD PUBKEY.pem... [--proof PROOF ...]
Prints one line per check; exits 0 when everything verifies, 1 otherwise.
"""
import base64
import hashlib
import json
import re
import struct
import sys

from securesystemslib.signer import Signature, SSlibKey
from securesystemslib import exceptions

# The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw
# 32-byte key follows it.
ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL", msg)


def ok(msg):
    print("ok  ", msg)


def b64decode(s):
    # DSSE: standard or URL-safe, with or without padding.
    s = s + "=" * (-len(s) % 4)
    try:
        return base64.b64decode(s, altchars=None, validate=True)
    except Exception:
        return base64.urlsafe_b64decode(s)


def pae(payload_type, payload):
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def read_public_key(path):
    text = open(path).read()
    m = re.search(r"-----BEGIN PUBLIC KEY-----(.*?)-----END PUBLIC KEY-----", text, re.S)
    der = base64.b64decode("".join(m.group(1).split()))
    if not der.startswith(ED25519_SPKI_PREFIX) or len(der) != len(ED25519_SPKI_PREFIX) + 32:
        raise ValueError(path + ": not an Ed25519 public key")
    raw = der[len(ED25519_SPKI_PREFIX):]
    keyid = hashlib.sha256(der).hexdigest()
    return SSlibKey(keyid, "ed25519", "ed25519", {"public": raw.hex()})


def check_envelope_shape(env):
    if set(env) - {"payload", "payloadType", "signatures"}:
        fail("envelope: unknown fields %s" % sorted(set(env) - {"payload", "payloadType", "signatures"}))
    for f, typ in (("payload", str), ("payloadType", str), ("signatures", list)):
        if not isinstance(env.get(f), typ):
            fail("envelope: %s missing or not a %s" % (f, typ.__name__))
    if env.get("payloadType") != PAYLOAD_TYPE:
        fail("envelope: payloadType %r" % env.get("payloadType"))
    for s in env.get("signatures", []):
        if not isinstance(s.get("sig"), str):
            fail("envelope: a signature without sig")


def check_statement_shape(st):
    """The in-toto attestation framework, spec/v1/statement.md and
    resource_descriptor.md."""
    if not isinstance(st, dict):
        fail("statement: not a JSON object")
        return
    extra = set(st) - {"_type", "subject", "predicateType", "predicate"}
    if extra:
        fail("statement: fields outside the v1 Statement: %s" % sorted(extra))
    if st.get("_type") != STATEMENT_TYPE:
        fail("statement: _type %r" % st.get("_type"))
    subjects = st.get("subject")
    if not isinstance(subjects, list) or not subjects:
        fail("statement: subject must be a non-empty list")
        subjects = []
    for s in subjects:
        if not isinstance(s, dict):
            fail("statement: a subject is not an object")
            continue
        if not isinstance(s.get("name"), str) or not s["name"]:
            fail("statement: subject without a name")
        d = s.get("digest")
        if not isinstance(d, dict) or not d:
            fail("statement: subject %r without a digest" % s.get("name"))
            continue
        for alg, v in d.items():
            if not isinstance(v, str) or not re.fullmatch(r"[0-9a-f]+", v):
                fail("statement: digest %s of %r is not lower-case hex" % (alg, s.get("name")))
            if alg == "sha256" and len(v) != 64:
                fail("statement: sha256 of %r is not 32 bytes" % s.get("name"))
    pt = st.get("predicateType")
    if not isinstance(pt, str) or not re.match(r"^[a-z][a-z0-9+.-]*://", pt):
        fail("statement: predicateType is not a URI: %r" % pt)
    if not isinstance(st.get("predicate"), dict):
        fail("statement: predicate is not an object")


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index, size, leaf_hash, path):
    """RFC 9162, 2.1.3.2."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def lp(s):
    b = s.encode("utf-8")
    return struct.pack(">I", len(b)) + b


def check_proof(proof, payload, statement):
    leaf = b"corefence-site-leaf/v1\x00" + bytes.fromhex(proof["salt"])
    leaf += lp(proof["site"]) + lp(proof["operator"]) + struct.pack(">I", len(proof["findings"]))
    for f in proof["findings"]:
        leaf += lp(f["rule"]) + lp(f["status"]) + struct.pack(">I", f["count"])
    root = verify_inclusion(proof["index"], proof["tree_size"], hashlib.sha256(b"\x00" + leaf).digest(),
                            [bytes.fromhex(h) for h in proof["path"]])
    signed = statement["predicate"]["sites"]["merkle_root"]
    if proof["statement"] != hashlib.sha256(payload).hexdigest():
        fail("proof: made for another statement")
    if root is None or root.hex() != signed:
        fail("proof: site %s does not lead to the signed Merkle root" % proof["site"])
    else:
        ok("proof: site %s included under the signed root %s" % (proof["site"], signed))


def main(argv):
    proof_paths = []
    while "--proof" in argv:
        i = argv.index("--proof")
        proof_paths.append(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    env_path, threshold, key_paths = argv[0], int(argv[1]), argv[2:]
    env = json.load(open(env_path))
    check_envelope_shape(env)
    payload = b64decode(env["payload"])
    message = pae(env["payloadType"], payload)
    keys = [read_public_key(p) for p in key_paths]
    signers = set()
    for n, s in enumerate(env["signatures"], 1):
        sig = Signature(s.get("keyid", ""), b64decode(s["sig"]).hex())
        for k in keys:
            try:
                k.verify_signature(sig, message)
            except exceptions.UnverifiedSignatureError:
                continue
            signers.add(k.keyid)
            ok("signature %d verifies with key %s (securesystemslib)" % (n, k.keyid[:16]))
            break
        else:
            if any(k.keyid == s.get("keyid") for k in keys):
                fail("signature %d does not verify with the trusted key it names" % n)
            else:
                print("note signature %d is by a key not trusted here; not counted" % n)
    if len(signers) < threshold:
        fail("%d trusted signers, %d required" % (len(signers), threshold))
    try:
        statement = json.loads(payload)
    except ValueError as e:
        fail("payload is not JSON: %s" % e)
        statement = None
    check_statement_shape(statement)
    if not failures:
        ok("statement: in-toto Statement v1 shape, predicateType %s" % statement["predicateType"])
    for p in proof_paths:
        if statement:
            check_proof(json.load(open(p)), payload, statement)
    print("VERIFIED" if not failures else "NOT VERIFIED")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
