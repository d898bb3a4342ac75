package evidence

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

// RFC 8410's examples (section 10.1 the public key, 10.3 the private key
// in version 1 and, with attributes and the public key, version 2): one
// key pair.
const (
	rfcPublic = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=
-----END PUBLIC KEY-----
`
	rfcPrivateV1 = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
-----END PRIVATE KEY-----
`
	rfcPrivateV2 = `-----BEGIN PRIVATE KEY-----
MHICAQEwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
oB8wHQYKKoZIhvcNAQkJFDEPDA1DdXJkbGUgQ2hhaXJzgSEAGb9ECWmEzf6FQbrB
Z9w7lshQhqowtrbLDFw4rXAxZuE=
-----END PRIVATE KEY-----
`
)

// TestKeyEncodingsMatchX509: the hand-written RFC 8410 encodings are
// byte for byte crypto/x509's, and each reads what the other writes.
func TestKeyEncodingsMatchX509(t *testing.T) {
	for i := 0; i < 20; i++ {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		wantPub, _ := x509.MarshalPKIXPublicKey(pub)
		wantPriv, _ := x509.MarshalPKCS8PrivateKey(priv)
		if !bytes.Equal(marshalPKIX(pub), wantPub) {
			t.Fatalf("public key DER %x, crypto/x509 %x", marshalPKIX(pub), wantPub)
		}
		if !bytes.Equal(marshalPKCS8(priv), wantPriv) {
			t.Fatalf("private key DER %x, crypto/x509 %x", marshalPKCS8(priv), wantPriv)
		}
		if got, err := parsePKIX(wantPub); err != nil || !got.Equal(pub) {
			t.Fatalf("parsePKIX(x509's DER) = %x, %v", got, err)
		}
		if got, err := parsePKCS8(wantPriv); err != nil || !got.Equal(priv) {
			t.Fatalf("parsePKCS8(x509's DER) = %v", err)
		}
		pemPub, _ := MarshalPublicKey(pub)
		block, _ := pem.Decode(pemPub)
		if k, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil || !pub.Equal(k) {
			t.Fatalf("crypto/x509 reads our public key as %v, %v", k, err)
		}
		pemPriv, _ := MarshalPrivateKey(priv)
		block, _ = pem.Decode(pemPriv)
		if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil || !priv.Equal(k) {
			t.Fatalf("crypto/x509 reads our private key: %v", err)
		}
	}
}

// TestRFC8410Examples reads the RFC's key files, both versions of PKCS #8,
// as crypto/x509 does.
func TestRFC8410Examples(t *testing.T) {
	pubs, err := ParsePublicKeys([]byte(rfcPublic))
	if err != nil || len(pubs) != 1 {
		t.Fatalf("public key: %v", err)
	}
	for _, p := range []string{rfcPrivateV1, rfcPrivateV2} {
		priv, err := ParsePrivateKey([]byte(p))
		if err != nil {
			t.Fatalf("private key: %v\n%s", err, p)
		}
		if !priv.Public().(ed25519.PublicKey).Equal(pubs[0]) {
			t.Errorf("the private key's public half is not the RFC's public key")
		}
		block, _ := pem.Decode([]byte(p))
		if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil || !priv.Equal(k) {
			t.Errorf("crypto/x509 reads it otherwise: %v", err)
		}
	}
}

// TestKeyRefusals: keys of other algorithms and damaged DER are refused
// with the block named, never with the key quoted.
func TestKeyRefusals(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPub, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	ecPriv, _ := x509.MarshalPKCS8PrivateKey(ec)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	good := marshalPKIX(pub)
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }

	for name, c := range map[string]struct {
		der  []byte
		want string
	}{
		"ECDSA":         {ecPub, "algorithm 1.2.840.10045.2.1; want an Ed25519 key"},
		"truncated":     {good[:len(good)-1], "not a PKIX public key"},
		"trailing data": {append(append([]byte(nil), good...), 0), "trailing data"},
		"short key":     {append([]byte{0x30, 0x29, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x20, 0x00}, pub[:31]...), "is 32 bytes"},
	} {
		pemData := append(pemOf("PUBLIC KEY", marshalPKIX(pub)), pemOf("PUBLIC KEY", c.der)...)
		if _, err := ParsePublicKeys(pemData); err == nil || !strings.Contains(err.Error(), "PEM block 2: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want PEM block 2 and %q", name, err, c.want)
		}
	}
	if _, err := ParsePrivateKey(pemOf("PRIVATE KEY", ecPriv)); err == nil || !strings.Contains(err.Error(), "want an Ed25519 key") {
		t.Errorf("ECDSA private key: %v", err)
	}
	der := marshalPKCS8(priv)
	if _, err := ParsePrivateKey(pemOf("PRIVATE KEY", der[:len(der)-1])); err == nil || !strings.Contains(err.Error(), "not a PKCS #8 private key") {
		t.Errorf("truncated private key: %v", err)
	}
	short := append([]byte{0x30, 0x2d, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x21, 0x04, 0x1f}, priv.Seed()[:31]...)
	if _, err := ParsePrivateKey(pemOf("PRIVATE KEY", short)); err == nil || !strings.Contains(err.Error(), "not an Ed25519 private key") {
		t.Errorf("a 31-byte seed: %v", err)
	}
}
