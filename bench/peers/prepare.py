#!/usr/bin/env python3
"""Writes the lookups two-rules.rego reads as data.peerdata, from corefence's
own answers (so the peer resolves functions and vendor names exactly as
corefence does), and compares the two engines' answers.

  prepare.py data   VALIDATE.json FUNCTIONS.json PACK-DESIGNATED... > data.json
  prepare.py compare CHECK.json OPA.json

`compare` exits 1 unless both name the same core violations (element ids)
and the same operators over the cap with the same counts.
"""
import json
import re
import sys


def data(validate, functions, designated):
    groups = {}
    for g in json.load(open(validate))["vendor_groups"]:
        for s in g["spellings"]:
            groups[s] = g["id"]
    catalogue = {f["id"]: f["domain"] for f in json.load(open(functions))}
    json.dump({"peerdata": {"vendor_group": groups, "catalogue": catalogue,
                        "designated": sorted(designated)}}, sys.stdout)


def compare(check, opa):
    cf = json.load(open(check))
    core = {f["element"] for f in cf["findings"]
            if f["rule"].endswith("/core") and f["status"] == "violation"}
    cap = {}
    for f in cf["findings"]:
        if f["rule"].endswith("/access-cap") and f["status"] == "violation":
            m = re.search(r"\((\d+) of (\d+) sites", f["message"])
            cap[f["operator"]] = {"designated": int(m.group(1)), "sites": int(m.group(2))}
    res = json.load(open(opa))["result"][0]["expressions"][0]["value"]
    ok = set(res["core"]) == core and res["access_cap"] == cap
    print(f"core violations: corefence {len(core)}, opa {len(res['core'])}; "
          f"operators over the cap: corefence {sorted(cap)}, opa {sorted(res['access_cap'])}; "
          + ("the same answers" if ok else "DIFFERENT answers"))
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "data":
        data(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("usage: prepare.py data|compare …")
