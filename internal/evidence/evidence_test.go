package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

var testSeed = []byte(strings.Repeat("s", SaltSize))

// TestPAE pins the encoding to the DSSE specification's example.
func TestPAE(t *testing.T) {
	got := string(PAE("http://example.com/HelloWorld", []byte("hello world")))
	want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
	if got != want {
		t.Errorf("PAE = %q, want %q", got, want)
	}
}

// TestMerkleVectors checks the tree hash against the test vectors of
// RFC 6962's reference implementation (certificate-transparency), and
// every inclusion path of trees of 1 to 40 leaves.
func TestMerkleVectors(t *testing.T) {
	inputs := []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
	roots := []string{
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
	var leaves [][32]byte
	for i, in := range inputs {
		b, _ := hex.DecodeString(in)
		leaves = append(leaves, leafHash(b))
		if r := MerkleRoot(leaves); hex.EncodeToString(r[:]) != roots[i] {
			t.Errorf("root of %d leaves = %x, want %s", i+1, r, roots[i])
		}
	}
	if r := MerkleRoot(nil); r != sha256.Sum256(nil) {
		t.Errorf("empty tree")
	}
	for n := 1; n <= 40; n++ {
		var ls [][32]byte
		for i := 0; i < n; i++ {
			ls = append(ls, leafHash([]byte{byte(i)}))
		}
		root := MerkleRoot(ls)
		for m := 0; m < n; m++ {
			got, err := rootFromPath(uint64(m), uint64(n), ls[m], InclusionPath(m, ls))
			if err != nil || got != root {
				t.Fatalf("n=%d m=%d: %v", n, m, err)
			}
			if n > 1 {
				if got, err := rootFromPath(uint64((m+1)%n), uint64(n), ls[m], InclusionPath(m, ls)); err == nil && got == root {
					t.Fatalf("n=%d m=%d: verified at the wrong index", n, m)
				}
			}
		}
	}
}

// TestSaltsUnlinkable: salts differ per site and per seed.
func TestSaltsUnlinkable(t *testing.T) {
	a, b := Salt(testSeed, "S1"), Salt(testSeed, "S2")
	c := Salt([]byte(strings.Repeat("t", SaltSize)), "S1")
	if string(a) == string(b) || string(a) == string(c) || len(a) != SaltSize {
		t.Error("salts collide")
	}
}
