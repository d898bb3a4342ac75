package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
)

// Key files are PEM: an Ed25519 private key as PKCS #8 ("PRIVATE KEY"), a
// public key as PKIX ("PUBLIC KEY") — the forms OpenSSL, Go, Python's
// cryptography and Sigstore tools all read.
const (
	privatePEMType = "PRIVATE KEY"
	publicPEMType  = "PUBLIC KEY"
)

// The DER of Ed25519 keys is fixed (RFC 8410, sections 4 and 7): the
// algorithm is the OID 1.3.101.112 with no parameters, the public key its
// 32 bytes, the private key its 32-byte seed. corefence writes and reads
// them with encoding/asn1 rather than crypto/x509, which would link the
// network stack and, through it, cgo and the dynamic loader into the
// stand-alone verifier and cost it a quarter of its start-up
// (docs/benchmarks.md, issue 10). keys_test.go checks both ways against
// crypto/x509.
var (
	oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
	// spkiPrefix is SubjectPublicKeyInfo up to the key's 32 bytes.
	spkiPrefix = []byte{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00}
	// pkcs8Prefix is a version 1 PKCS #8 OneAsymmetricKey up to the
	// seed's 32 bytes.
	pkcs8Prefix = []byte{0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20}
)

// algorithmIdentifier, subjectPublicKeyInfo and oneAsymmetricKey are the
// ASN.1 structures keys are read from (RFC 5280, RFC 5958); fields after
// the private key (attributes, the public key of version 2) are ignored,
// as crypto/x509 ignores them.
type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type subjectPublicKeyInfo struct {
	Algorithm algorithmIdentifier
	PublicKey asn1.BitString
}

type oneAsymmetricKey struct {
	Version    int
	Algorithm  algorithmIdentifier
	PrivateKey []byte
}

// marshalPKIX returns the SubjectPublicKeyInfo DER of a public key.
func marshalPKIX(pub ed25519.PublicKey) []byte {
	return append(append([]byte(nil), spkiPrefix...), pub...)
}

// parsePKIX reads an Ed25519 key from SubjectPublicKeyInfo DER.
func parsePKIX(der []byte) (ed25519.PublicKey, error) {
	var spki subjectPublicKeyInfo
	rest, err := asn1.Unmarshal(der, &spki)
	switch {
	case err != nil:
		return nil, fmt.Errorf("not a PKIX public key: %v", err)
	case len(rest) > 0:
		return nil, errors.New("not a PKIX public key: trailing data")
	case !spki.Algorithm.Algorithm.Equal(oidEd25519):
		return nil, fmt.Errorf("holds a key of algorithm %s; want an Ed25519 key (%s)", spki.Algorithm.Algorithm, oidEd25519)
	case len(spki.Algorithm.Parameters.FullBytes) > 0:
		return nil, errors.New("an Ed25519 key's algorithm has parameters; RFC 8410 forbids them")
	case spki.PublicKey.BitLength != 8*ed25519.PublicKeySize || len(spki.PublicKey.Bytes) != ed25519.PublicKeySize:
		return nil, fmt.Errorf("an Ed25519 public key is %d bytes, not %d bits", ed25519.PublicKeySize, spki.PublicKey.BitLength)
	}
	return ed25519.PublicKey(spki.PublicKey.Bytes), nil
}

// marshalPKCS8 returns the PKCS #8 DER of a private key.
func marshalPKCS8(priv ed25519.PrivateKey) []byte {
	return append(append([]byte(nil), pkcs8Prefix...), priv.Seed()...)
}

// parsePKCS8 reads an Ed25519 key from PKCS #8 DER.
func parsePKCS8(der []byte) (ed25519.PrivateKey, error) {
	var k oneAsymmetricKey
	rest, err := asn1.Unmarshal(der, &k)
	if err != nil || len(rest) > 0 {
		return nil, errors.New("not a PKCS #8 private key")
	}
	if !k.Algorithm.Algorithm.Equal(oidEd25519) {
		return nil, fmt.Errorf("holds a key of algorithm %s; want an Ed25519 key (%s)", k.Algorithm.Algorithm, oidEd25519)
	}
	var seed []byte
	if rest, err := asn1.Unmarshal(k.PrivateKey, &seed); err != nil || len(rest) > 0 || len(seed) != ed25519.SeedSize ||
		len(k.Algorithm.Parameters.FullBytes) > 0 {
		return nil, errors.New("not an Ed25519 private key (RFC 8410)")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// maxKeyFile bounds what is read as a key file: keys are a few hundred
// bytes, and a trust file holds a handful of them.
const maxKeyFile = 1 << 20

// GenerateKey makes an Ed25519 key pair from rand (crypto/rand.Reader
// unless a test needs determinism).
func GenerateKey(rand io.Reader) (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(rand)
}

// MarshalPrivateKey returns the PEM file of a private key.
func MarshalPrivateKey(priv ed25519.PrivateKey) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("an Ed25519 private key is %d bytes, not %d", ed25519.PrivateKeySize, len(priv))
	}
	return pem.EncodeToMemory(&pem.Block{Type: privatePEMType, Bytes: marshalPKCS8(priv)}), nil
}

// MarshalPublicKey returns the PEM file of a public key.
func MarshalPublicKey(pub ed25519.PublicKey) ([]byte, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("an Ed25519 public key is %d bytes, not %d", ed25519.PublicKeySize, len(pub))
	}
	return pem.EncodeToMemory(&pem.Block{Type: publicPEMType, Bytes: marshalPKIX(pub)}), nil
}

// KeyID is the id a signature names its key by: the SHA-256 of the key's
// PKIX (SubjectPublicKeyInfo) DER, in hex — what `openssl pkey -pubin
// -outform DER | sha256sum` prints. DSSE treats it as a hint only: a
// signature counts when it verifies, whatever id it names.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(marshalPKIX(pub))
	return hex.EncodeToString(sum[:])
}

// ParsePrivateKey reads an Ed25519 private key from PEM. Its errors never
// quote the input.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("not a PEM file")
	}
	if block.Type != privatePEMType {
		return nil, fmt.Errorf("holds a %q PEM block; want %q (a file made by `corefence keygen`)", block.Type, privatePEMType)
	}
	return parsePKCS8(block.Bytes)
}

// ParsePublicKeys reads one or more Ed25519 public keys from PEM (a trust
// file may list several, one block after another).
func ParsePublicKeys(data []byte) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	for n := 1; ; n++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != publicPEMType {
			return nil, fmt.Errorf("PEM block %d is %q; want %q (a .pub file made by `corefence keygen`)", n, block.Type, publicPEMType)
		}
		pub, err := parsePKIX(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %v", n, err)
		}
		keys = append(keys, pub)
	}
	if len(keys) == 0 {
		return nil, errors.New("no PEM public key in it")
	}
	return keys, nil
}

// ReadPrivateKeyFile reads a private key file, refusing one that anybody
// but its owner may read or write: a signing key others can read is no
// longer the signer's alone, and the check fails loudly rather than
// signing with it.
func ReadPrivateKeyFile(path string) (ed25519.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, pathError(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, err)
	}
	if err := PrivateKeyModeOK(st.Mode()); err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("private key %s: larger than %d bytes; not a key file", path, maxKeyFile)
	}
	priv, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, err)
	}
	return priv, nil
}

// PrivateKeyModeOK reports whether a private key file's permissions keep it
// to its owner (no bits for group or others), and says how to fix them if
// not. On systems without Unix permissions it accepts any mode.
func PrivateKeyModeOK(mode fs.FileMode) error {
	if !mode.IsRegular() {
		return errors.New("not a regular file")
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return nil
	}
	if perm := mode.Perm(); perm&0o077 != 0 {
		return fmt.Errorf("file mode %04o lets others read or change it; a private key must be the owner's alone (chmod 600 it, or make a new key)", perm)
	}
	return nil
}

// ReadPublicKeysFile reads the public keys of a trust file.
func ReadPublicKeysFile(path string) ([]ed25519.PublicKey, error) {
	data, err := readLimited(path, maxKeyFile)
	if err != nil {
		return nil, fmt.Errorf("trusted keys %s: %w", path, err)
	}
	keys, err := ParsePublicKeys(data)
	if err != nil {
		return nil, fmt.Errorf("trusted keys %s: %w", path, err)
	}
	return keys, nil
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pathError(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

// pathError drops the path and operation from a file error, for messages
// that name the file themselves.
func pathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
