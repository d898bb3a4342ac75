package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// scanAll reads every record of data with the scanner, as encoding/csv
// would report them: fields, field positions, and the error that stopped it.
func scanAll(data []byte) (recs [][]string, pos [][]fieldPos, err error) {
	s := newCSVScanner(data, 0, len(data), 1)
	for {
		ok, err := s.next()
		if err != nil || !ok {
			return recs, pos, err
		}
		rec := make([]string, len(s.fields))
		for i, f := range s.fields {
			rec[i] = string(f)
		}
		recs = append(recs, rec)
		pos = append(pos, append([]fieldPos(nil), s.pos...))
	}
}

// readAll is scanAll done by encoding/csv, configured as the importer used
// it (field counts are the importer's to check).
func readAll(data []byte) (recs [][]string, pos [][]fieldPos, err error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return recs, pos, nil
		}
		if err != nil {
			return recs, pos, err
		}
		recs = append(recs, rec)
		var p []fieldPos
		for i := range rec {
			l, c := r.FieldPos(i)
			p = append(p, fieldPos{l, c})
		}
		pos = append(pos, p)
	}
}

func sameAsEncodingCSV(t *testing.T, data []byte) {
	t.Helper()
	gotRecs, gotPos, gotErr := scanAll(data)
	wantRecs, wantPos, wantErr := readAll(data)
	if !reflect.DeepEqual(gotRecs, wantRecs) {
		t.Fatalf("%q: records\n got %q\nwant %q", data, gotRecs, wantRecs)
	}
	if !reflect.DeepEqual(gotPos, wantPos) {
		t.Fatalf("%q: field positions\n got %v\nwant %v", data, gotPos, wantPos)
	}
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%q: error\n got %v\nwant %v", data, gotErr, wantErr)
	}
	var ge, we *csv.ParseError
	if errors.As(gotErr, &ge) && errors.As(wantErr, &we) && *ge != *we {
		t.Fatalf("%q: error\n got %+v\nwant %+v", data, *ge, *we)
	}
}

func TestCSVScannerCases(t *testing.T) {
	for _, in := range []string{
		"", "\n", "\r\n", "\r", "a", "a\n", "a\r", "a\r\n", "a,b\r\n\r\nc,d", "\n\na,b\n\n",
		"a,,b\n,\n", `"a,b",c` + "\n", `"a""b"` + "\n", `"a` + "\n" + `b",c`, `"a` + "\r\n" + `b"` + "\r\n",
		`"a"b`, `a"b`, `"a`, "\"a\n", "\"a\r\n", "\"a\n\n", "\"a\r", `""`, `"",""`, "\"\"\r", "a\rb,c\n",
		"x\r\r\n", "\"a\"\r\n\"b\"", "a,\"b\n\nc\",d\ne,f", "é,\"ü\"\n", "a,b\n\"c\nd\"\"\"x",
	} {
		sameAsEncodingCSV(t, []byte(in))
	}
}

// TestCSVScannerRandom compares the scanner with encoding/csv on random
// inputs drawn from the bytes that matter to CSV.
func TestCSVScannerRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 15))
	alphabet := []string{",", "\"", "\n", "\r", "\r\n", "a", "b", " ", "é", `""`}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		sameAsEncodingCSV(t, []byte(b.String()))
	}
}

// FuzzCSVScanner holds the scanner to encoding/csv: the same records, field
// positions and errors.
func FuzzCSVScanner(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\"a\nb\",\"c\"\"\"\r\n", "a\"b", "\"x\"y", "\"open\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { sameAsEncodingCSV(t, data) })
}
