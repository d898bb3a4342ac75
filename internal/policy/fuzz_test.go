package policy_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

func fuzzLimits() cf.Limits {
	lim := cf.DefaultLimits()
	lim.ConfigBytes, lim.AliasNodes, lim.CELCost, lim.CELTime = 1<<20, 10_000, 10_000, 2*time.Second
	return lim
}

func addFiles(f *testing.F, globs ...string) {
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil && len(data) < 1<<20 {
				f.Add(data)
			}
		}
	}
}

// FuzzPack parses packs: no panic; a pack or input problems, never both.
func FuzzPack(f *testing.F) {
	addFiles(f, "packs/*.yaml", "testdata/invalid/pack-*.yaml", "testdata/check/*/pack.yaml", "../../testdata/small-pack.yaml", "../../testdata/hostile/*.yaml")
	lim := fuzzLimits()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := policy.ParseWith("pack.yaml", data, lim)
		if (p == nil) == (err == nil) {
			t.Fatalf("ParseWith = %v, %v: want a pack or problems", p != nil, err)
		}
		if _, ok := cf.AsProblems(err); err != nil && !ok {
			t.Fatalf("error %T is not input problems: %v", err, err)
		}
	})
}

// FuzzWaivers parses waivers: no panic; waivers or input problems, never
// both; every waiver loaded names one rule or one pack's rules, a reason
// and an approver.
func FuzzWaivers(f *testing.F) {
	addFiles(f, "testdata/invalid/waivers*.yaml", "testdata/check/*/waivers.yaml", "../../testdata/small-waivers.yaml", "../../testdata/hostile/waiver-*.yaml")
	lim := fuzzLimits()
	f.Fuzz(func(t *testing.T, data []byte) {
		ws, err := policy.ParseWaivers("waivers.yaml", data, lim)
		if (ws == nil) == (err == nil) {
			t.Fatalf("ParseWaivers = %v, %v: want waivers or problems", ws != nil, err)
		}
		if _, ok := cf.AsProblems(err); err != nil && !ok {
			t.Fatalf("error %T is not input problems: %v", err, err)
		}
		for _, w := range ws {
			if strings.TrimSpace(w.Reason) == "" || strings.TrimSpace(w.Approver) == "" || strings.Count(w.Rule, "/") != 1 {
				t.Fatalf("loaded waiver %+v", w)
			}
		}
	})
}

// FuzzWhere compiles a `where:` predicate and checks a small inventory with
// it: no panic, and every element the predicate fails on is a finding
// (unmeasured), so that no error passes silently.
func FuzzWhere(f *testing.F) {
	inv, err := importer.Load("testdata/check/where/inventory.yaml", inventory.Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		`element.vendor == "huawei"`,
		`"band" in element.attributes && element.attributes["band"] == "n78"`,
		`element.software.startsWith("SRAN15") && site.region != "Scotland" && vendor.designated`,
		`1/0 == 1`,
		`element.tags.all(t, t.size() > 2)`,
		`[1, 2, 3].exists(x, x * site.premises > 10)`,
		`element.id.replace("e", "ee").size() > 2 || operator.country.lowerAscii() == "gb"`,
	} {
		f.Add(s)
	}
	lim := fuzzLimits()
	asOf, _ := cf.ParseDate("2024-01-01")
	f.Fuzz(func(t *testing.T, where string) {
		pack, err := policy.ParseWith("pack.yaml", []byte(`id: fuzz
title: fuzzed predicate
kind: scenario
status: proposal
designated: [huawei]
rules:
  - {id: r, title: r, kind: exclude, effective: 2020-01-01, where: `+strconv.Quote(where)+`}
`), lim)
		if err != nil {
			return // does not compile, or is not a bool: a pack problem
		}
		// Go's quoted strings are YAML double-quoted strings.
		res, err := policy.Check(context.Background(), inv, []*policy.Pack{pack}, policy.Options{AsOf: asOf})
		if err != nil {
			if strings.Contains(err.Error(), "cel-time") {
				return // the machine was slow: the limit did its work
			}
			t.Fatalf("Check: %v", err)
		}
		for _, w := range res.Warnings {
			if w.Code == "where-error" && res.Count()[policy.StatusUnmeasured] == 0 {
				t.Fatalf("where failed (%s) but no finding is unmeasured", w.Message)
			}
		}
	})
}
