package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
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
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: privatePEMType, Bytes: der}), nil
}

// MarshalPublicKey returns the PEM file of a public key.
func MarshalPublicKey(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: publicPEMType, Bytes: der}), nil
}

// KeyID is the id a signature names its key by: the SHA-256 of the key's
// PKIX (SubjectPublicKeyInfo) DER, in hex — what `openssl pkey -pubin
// -outform DER | sha256sum` prints. DSSE treats it as a hint only: a
// signature counts when it verifies, whatever id it names.
func KeyID(pub ed25519.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err) // an ed25519.PublicKey always marshals
	}
	sum := sha256.Sum256(der)
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
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("not a PKCS #8 private key")
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("holds a %T; want an Ed25519 key", k)
	}
	return priv, nil
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
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %v", n, err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("PEM block %d holds a %T; want an Ed25519 key", n, k)
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
