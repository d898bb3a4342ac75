package gen

import (
	"bytes"
	"testing"

	cf "github.com/corefence/corefence"
)

// FuzzReadARCEP reads fuzzed site lists: no panic; a list or input
// problems, never both; every located site inside metropolitan France.
func FuzzReadARCEP(f *testing.F) {
	for _, s := range []string{
		"\ufeffOperateur;X;Y;2G;3G;4G\r\n20815;#N/A;#N/A;0;1;0\r\n20820;652000;6862000;1;1;1\r\n",
		"Operateur;X;Y;2G;3G;4G\n20801;652000;6862000;1;0;1\n\n20810;1000;6100000;0;0;1\n",
		"Operateur;X;Y;2G;3G;4G\n20899;x;6862000;2;0;1\n",
		"operateur;x;y\n",
	} {
		f.Add([]byte(s))
	}
	lim := cf.DefaultLimits()
	lim.InputBytes, lim.Records, lim.LineBytes = 1<<20, 10_000, 4096
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ReadARCEPWith(bytes.NewReader(data), "sites.csv", lim)
		if (l == nil) == (err == nil) {
			t.Fatalf("ReadARCEPWith = %v, %v: want a list or problems", l != nil, err)
		}
		if _, ok := cf.AsProblems(err); err != nil && !ok {
			t.Fatalf("error %T is not input problems: %v", err, err)
		}
		if l != nil {
			for _, s := range l.Sites {
				if s.Located && (s.X < 0 || s.X > 1_300_000 || s.Y < 6_000_000 || s.Y > 7_200_000) {
					t.Fatalf("site %+v located outside metropolitan France", s)
				}
			}
		}
	})
}

// TestReadARCEPLimits checks that a site list past a limit fails naming it.
func TestReadARCEPLimits(t *testing.T) {
	lim := cf.DefaultLimits()
	lim.Records, lim.LineBytes, lim.InputBytes = 2, 64, 1<<20
	row := "20801;700000;6600000;1;0;0\n"
	for _, c := range []struct{ in, want string }{
		{"Operateur;X;Y;2G;3G;4G\n" + row + row + row, "x.csv:4: more than 2 rows: more than the limit records=2 (raise it with --max records=N)"},
		{"Operateur;X;Y;2G;3G;4G\n" + string(bytes.Repeat([]byte("1"), 100)) + "\n", "x.csv:2: line 2 is longer than 64 bytes: more than the limit line-bytes=64"},
		{"Operateur;X;Y;2G;3G;4G\n" + string(bytes.Repeat([]byte("\n"), 2<<20)), "x.csv: file holds more than 1048576 bytes: more than the limit input-bytes=1048576"},
		{"Operateur;X;Y;2G;3G;4G\n20801;7\xff0000;6600000;1;0;0\n", "x.csv:2: invalid UTF-8"},
	} {
		_, err := ReadARCEPWith(bytes.NewReader([]byte(c.in)), "x.csv", lim)
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(c.want)) {
			t.Errorf("ReadARCEPWith(%.40q…) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
}
