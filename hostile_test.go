package corefence_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/planner"
	"github.com/corefence/corefence/internal/policy"
)

// The tests of this file replay hostile inputs (testdata/hostile/, and
// large ones generated here): each must fail with a clear error naming the
// limit or the field, load nothing, and cost bounded memory. Memory is
// measured as bytes allocated while loading, never as time.

var asOf, _ = cf.ParseDate("2024-01-01")

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// loader reads one kind of input and reports whether anything loaded.
type loader func(path string) (loaded bool, err error)

var (
	loadInventory loader = func(p string) (bool, error) {
		inv, err := importer.Load(p, inventory.Options{})
		return inv != nil, err
	}
	loadPack loader = func(p string) (bool, error) {
		pack, err := policy.LoadFile(p)
		return pack != nil, err
	}
	loadWaivers loader = func(p string) (bool, error) {
		ws, err := policy.LoadWaivers(p)
		return ws != nil, err
	}
	loadParams loader = func(p string) (bool, error) {
		params, err := planner.LoadParams(p)
		return params != nil, err
	}
)

// expectRefused loads path and checks that it fails with every wanted text,
// loads nothing, allocates at most maxAlloc bytes and writes a short error.
func expectRefused(t *testing.T, load loader, path string, maxAlloc uint64, want ...string) {
	t.Helper()
	var loaded bool
	var err error
	n := allocated(func() { loaded, err = load(path) })
	if err == nil {
		t.Fatalf("%s loaded, want an error", path)
	}
	if loaded {
		t.Errorf("%s: a result came back with the error: nothing may load", path)
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: error %q does not say %q", path, cf.Short(msg), w)
		}
	}
	if n > maxAlloc {
		t.Errorf("%s: allocated %d MB loading, want at most %d MB", path, n>>20, maxAlloc>>20)
	}
	if len(msg) > 64<<10 {
		t.Errorf("%s: error is %d bytes long", path, len(msg))
	}
}

func TestHostileFiles(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		file string
		load loader
		want []string
	}{
		{"alias-bomb-inventory.yaml", loadInventory, []string{"alias-bomb-inventory.yaml:", "YAML aliases expand to too many nodes", "alias-nodes=1000000", "--max alias-nodes="}},
		{"alias-bomb-attributes.yaml", loadInventory, []string{"alias-nodes=1000000"}},
		{"alias-bomb-pack.yaml", loadPack, []string{"alias-nodes="}},
		{"alias-bomb-waivers.yaml", loadWaivers, []string{"alias-nodes="}},
		{"alias-bomb-params.yaml", loadParams, []string{"alias-nodes="}},
		{"duplicate-attribute.yaml", loadInventory, []string{"duplicate-attribute.yaml:6:", "rack: key given twice"}},
		{"duplicate-params.yaml", loadParams, []string{"duplicate-params.yaml:6:", "macro: key given twice"}},
		{"bool-id.json", loadInventory, []string{"bool-id.json:3:", "id: want a string, got a boolean"}},
		{"nan-buffer.yaml", loadPack, []string{"buffer_km: want a finite number"}},
		{"inf-buffer.yaml", loadPack, []string{"buffer_km: want a finite number"}},
		{"huge-buffer.yaml", loadPack, []string{"buffer_km: 1e+308 is not between 0 and 20038 km"}},
		{"no-rules.yaml", loadPack, []string{"rules: a pack without rules"}},
		{"waiver-glob.yaml", loadWaivers, []string{`rule: "s*": want one rule id`}},
		{"waiver-blank.yaml", loadWaivers, []string{"reason: is blank", "approver: is blank"}},
		{"waiver-duplicate.yaml", loadWaivers, []string{"waivers #2: rule: waives small/core for element E1 again (first at line 3)"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			expectRefused(t, c.load, filepath.Join("testdata/hostile", c.file), 64*mb, c.want...)
		})
	}
}

// TestHostileGenerated replays the reproducers too big to keep as files.
func TestHostileGenerated(t *testing.T) {
	const mb = 1 << 20
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("csv of blank lines", func(t *testing.T) {
		// 200 MB of blank lines used to reserve one record per newline: a
		// 44.8 GB allocation. A 20 MB file shows the fix as well and reads
		// in CI's time: a record per newline would be 4.5 GB.
		data := append([]byte("id,site,function,vendor\n"), bytes.Repeat([]byte{'\n'}, 20*mb)...)
		files := []importer.File{{Name: "elements.csv", Data: bytes.NewReader(data)}}
		var inv *inventory.Inventory
		var err error
		n := allocated(func() { inv, err = importer.LoadFiles(files, inventory.Options{}, cf.DefaultLimits()) })
		if err != nil || len(inv.Elements) != 0 {
			t.Errorf("blank lines: %v", err)
		}
		if n > 5*20*mb {
			t.Errorf("allocated %d MB reading 20 MB of blank lines", n>>20)
		}
	})

	t.Run("csv over the record limit", func(t *testing.T) {
		lim := cf.DefaultLimits()
		lim.Records = 1000
		var b bytes.Buffer
		b.WriteString("id,site,function,vendor\n")
		for i := range 5000 {
			fmt.Fprintf(&b, "E%d,S1,gnb,Ericsson\n", i)
		}
		_, err := importer.LoadFiles([]importer.File{{Name: "elements.csv", Data: &b}}, inventory.Options{}, lim)
		if err == nil || !strings.Contains(err.Error(), "elements.csv:1002: elements: more than 1000 records: more than the limit records=1000 (raise it with --max records=N)") {
			t.Errorf("error %v, want the record limit at line 1002", err)
		}
	})

	t.Run("csv line over the limit", func(t *testing.T) {
		data := "id,site,function,vendor\nE1,S1,gnb," + strings.Repeat("x", 2*mb) + "\n"
		_, err := importer.LoadFiles([]importer.File{{Name: "elements.csv", Data: strings.NewReader(data)}}, inventory.Options{}, cf.DefaultLimits())
		if err == nil || !strings.Contains(err.Error(), "elements.csv:2: elements: line 2 is longer than 1048576 bytes: more than the limit line-bytes=1048576") {
			t.Errorf("error %v, want the line limit at line 2", err)
		}
	})

	t.Run("invalid UTF-8", func(t *testing.T) {
		for name, data := range map[string]string{
			"sites.json":       "{\"format\": \"corefence/v1\", \"sites\": [{\"id\": \"S\xff1\"}]}",
			"inv.yaml":         "format: corefence/v1\nsites: [{id: \"S\xfe1\"}]\n",
			"csv/elements.csv": "id,site,function,vendor\nE\xff1,S1,gnb,Ericsson\n",
		} {
			p := write(name, []byte(data))
			if filepath.Base(filepath.Dir(p)) == "csv" {
				p = filepath.Dir(p)
			}
			expectRefused(t, loadInventory, p, 64*mb, "invalid UTF-8")
		}
	})

	t.Run("nesting too deep", func(t *testing.T) {
		deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
		expectRefused(t, loadInventory, write("deep.json", []byte(deep)), 64*mb, "nested too deeply", "depth=64")
		deep = "format: corefence/v1\nx: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"
		expectRefused(t, loadInventory, write("deep.yaml", []byte(deep)), 64*mb, "deep.yaml:")
	})

	t.Run("a 1 MB id referenced 1000 times", func(t *testing.T) {
		// The messages used to repeat the id in full: a gigabyte of errors.
		// An alias refers to the id, so the file stays small.
		var b strings.Builder
		fmt.Fprintf(&b, "format: corefence/v1\noperators: [{id: alpha, country: GB}]\nelements:\n")
		fmt.Fprintf(&b, "  - {id: E0, site: &long %s, function: gnb, vendor: Ericsson}\n", strings.Repeat("s", 1_000_000))
		for i := 1; i < 1000; i++ {
			fmt.Fprintf(&b, "  - {id: E%d, site: *long, function: gnb, vendor: Ericsson}\n", i)
		}
		p := write("long-id.yaml", []byte(b.String()))
		var err error
		n := allocated(func() { _, err = importer.Load(p, inventory.Options{}) })
		if err == nil {
			t.Fatal("loaded")
		}
		msg := err.Error()
		if len(msg) > 1<<20 || n > 256*mb {
			t.Errorf("error is %d bytes for 1000 problems, %d MB allocated", len(msg), n>>20)
		}
		if !strings.Contains(msg, `site: unknown site "sssss`) || !strings.Contains(msg, "more bytes)") || strings.Count(msg, "\n") != 999 {
			t.Errorf("error does not shorten the id: %s", cf.Short(msg))
		}
	})

	t.Run("/dev/zero", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip("no /dev/zero here")
		}
		for _, name := range []string{"zero.yaml", "zero-pack.yaml", "zero-waivers.yaml", "zero-params.yaml"} {
			if err := os.Symlink("/dev/zero", filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
		// Config files stop at config-bytes (64 MiB), read in chunks so
		// that reaching the limit costs the limit; the inventory limit
		// is lowered so that the test does not read 4 GiB of zeros.
		const cfg = 64 << 20
		expectRefused(t, loadPack, filepath.Join(dir, "zero-pack.yaml"), cfg+32*mb, "more than the limit config-bytes=67108864")
		expectRefused(t, loadWaivers, filepath.Join(dir, "zero-waivers.yaml"), cfg+32*mb, "config-bytes=67108864")
		expectRefused(t, loadParams, filepath.Join(dir, "zero-params.yaml"), cfg+32*mb, "config-bytes=67108864")
		lim := cf.DefaultLimits()
		lim.InputBytes = 8 * mb
		expectRefused(t, func(p string) (bool, error) {
			inv, err := importer.LoadWith(p, inventory.Options{}, lim)
			return inv != nil, err
		}, filepath.Join(dir, "zero.yaml"), 64*mb, "zero.yaml: file holds more than 8388608 bytes: more than the limit input-bytes=8388608 (raise it with --max input-bytes=N)")
		expectRefused(t, func(p string) (bool, error) {
			f, err := os.Open(p)
			if err != nil {
				return false, err
			}
			defer f.Close()
			l, err := gen.ReadARCEPWith(f, p, lim)
			return l != nil, err
		}, filepath.Join(dir, "zero.yaml"), 64*mb, "longer than 1048576 bytes", "line-bytes=")
	})
}

// TestHostileWhere checks that a predicate that fails, loops over big
// lists or builds huge strings makes its elements unmeasured within the
// cost limit, and that the time limit fails the check.
func TestHostileWhere(t *testing.T) {
	inv, err := importer.Load("testdata/hostile/where-inventory.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	list := "[" + strings.Repeat("1,", 999) + "1]"
	for _, c := range []struct {
		name, where, want string
	}{
		{"division by zero", "1/0 == 1", "division by zero"},
		{"nested all over three 1000-item lists", list + ".all(x, " + list + ".all(y, " + list + ".all(z, x + y + z > 0)))", "cost limit exceeded"},
		{"replace nested nine deep", `"ab"` + strings.Repeat(`.replace("", "xxxxxxxxxxxxxxxxxxxx")`, 9) + ` == ""`, "cost limit exceeded"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pack, err := policy.Parse("hostile.yaml", []byte(fmt.Sprintf(`id: hostile
title: hostile predicate
kind: scenario
status: proposal
designated: [huawei]
rules:
  - {id: r, title: r, kind: exclude, effective: 2020-01-01, where: %q}
`, c.where)))
			if err != nil {
				t.Fatal(err)
			}
			var res *policy.Result
			n := allocated(func() {
				res, err = policy.Check(context.Background(), inv, []*policy.Pack{pack}, policy.Options{AsOf: asOf})
			})
			if err != nil {
				t.Fatal(err)
			}
			if n > 512<<20 {
				t.Errorf("allocated %d MB", n>>20)
			}
			// Both elements are unmeasured, the designated one and the other:
			// whether the rule applies to either cannot be told.
			if len(res.Findings) != 2 {
				t.Fatalf("%d findings, want 2 unmeasured", len(res.Findings))
			}
			for _, f := range res.Findings {
				if f.Status != policy.StatusUnmeasured || !strings.Contains(f.Why, c.want) || !strings.Contains(f.Why, "where: ") {
					t.Errorf("finding %s %q, want unmeasured naming the predicate and %q", f.Status, f.Why, c.want)
				}
			}
			if res.Compliant() != true || res.Count()[policy.StatusUnmeasured] != 2 {
				t.Errorf("counts %v", res.Count())
			}
		})
	}

	t.Run("time limit", func(t *testing.T) {
		lim := cf.DefaultLimits()
		lim.CELCost = 1 << 40
		lim.CELTime = 1 // a nanosecond: the deadline has passed before evaluation starts
		pack, err := policy.ParseWith("slow.yaml", []byte(`id: slow
title: slow predicate
kind: scenario
status: proposal
designated: [huawei]
rules:
  - {id: r, title: r, kind: exclude, effective: 2020-01-01, where: '`+list+`.all(x, `+list+`.all(y, `+list+`.all(z, x + y + z > 0)))'}
`), lim)
		if err != nil {
			t.Fatal(err)
		}
		_, err = policy.Check(context.Background(), inv, []*policy.Pack{pack}, policy.Options{AsOf: asOf})
		if err == nil || !strings.Contains(err.Error(), "rule slow/r: the `where` predicate ran too long over the inventory: more than the limit cel-time=1ns (raise it with --max cel-time=N)") {
			t.Errorf("error %v, want the cel-time limit", err)
		}
	})
}
