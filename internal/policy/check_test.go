package policy_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// A check case is a directory under testdata/check holding an inventory
// (inventory.yaml, or a CSV directory named inventory), a pack (pack.yaml),
// optional waivers and case.yaml: the as-of date and the findings wanted,
// one line each: "STATUS RULE SUBJECT [metric=value] [days_left=N]
// [waiver=DATE|expired-waiver=DATE]". The subject of a flow finding is
// SITE/ELEMENT, or SITE when the site's traffic has no route.
//
// A case may check built-in packs instead of pack.yaml: builtin names them
// and params sets their parameters (PACK.NAME=DATE); its findings then
// name the rule with its pack ("PACK/RULE").
type checkCase struct {
	Inventory      string   `yaml:"inventory"` // another case's inventory, relative to this case
	Builtin        []string `yaml:"builtin"`
	Params         []string `yaml:"params"`
	AsOf           string   `yaml:"as_of"`
	IncludePlanned bool     `yaml:"include_planned"`
	Waivers        string   `yaml:"waivers"`
	Want           []string `yaml:"want"`
	WantWarnings   []string `yaml:"want_warnings"`
}

func TestCheckCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/check/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no check cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var c checkCase
			data, err := os.ReadFile(filepath.Join(dir, "case.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := yaml.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			invPath := filepath.Join(dir, "inventory.yaml")
			if _, err := os.Stat(invPath); err != nil {
				invPath = filepath.Join(dir, "inventory")
			}
			if c.Inventory != "" {
				invPath = filepath.Join(dir, c.Inventory)
			}
			inv, err := importer.Load(invPath, inventory.Options{})
			if err != nil {
				t.Fatalf("load %s: %v", invPath, err)
			}
			packs := loadCasePacks(t, dir, c)
			asOf, err := cf.ParseDate(c.AsOf)
			if err != nil {
				t.Fatal(err)
			}
			opts := policy.Options{AsOf: asOf, IncludePlanned: c.IncludePlanned}
			if c.Waivers != "" {
				if opts.Waivers, err = policy.LoadWaivers(filepath.Join(dir, c.Waivers)); err != nil {
					t.Fatal(err)
				}
			}
			res, err := policy.Check(context.Background(), inv, packs, opts)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			got := describe(inv, res, len(c.Builtin) > 0)
			if *update && strings.Join(got, "\n") != strings.Join(c.Want, "\n") {
				rewriteWant(t, filepath.Join(dir, "case.yaml"), data, got)
				c.Want = got
			}
			if strings.Join(got, "\n") != strings.Join(c.Want, "\n") {
				t.Errorf("Check(%s) findings:\n  got:  %s\n  want: %s", dir, strings.Join(got, "\n        "), strings.Join(c.Want, "\n        "))
			}
			codes := map[string]bool{}
			for _, w := range res.Warnings {
				codes[w.Code] = true
			}
			for _, code := range c.WantWarnings {
				if !codes[code] {
					t.Errorf("Check(%s): no %s warning in %v", dir, code, res.Warnings)
				}
			}
			// Every finding reads as a sentence and has a stable id.
			seen := map[string]bool{}
			for i := range res.Findings {
				f := &res.Findings[i]
				if f.Message(inv) == "" {
					t.Errorf("finding %d has no message", i)
				}
				id := f.ID(inv)
				if seen[id] {
					t.Errorf("finding id %s is not unique", id)
				}
				seen[id] = true
			}
		})
	}
}

func loadCasePacks(t *testing.T, dir string, c checkCase) []*policy.Pack {
	t.Helper()
	if len(c.Builtin) == 0 {
		pack, err := policy.LoadFile(filepath.Join(dir, "pack.yaml"))
		if err != nil {
			t.Fatalf("pack: %v", err)
		}
		return []*policy.Pack{pack}
	}
	var packs []*policy.Pack
	for _, id := range c.Builtin {
		p, ok, err := policy.Builtin(id)
		if !ok || err != nil {
			t.Fatalf("built-in pack %s: %v", id, err)
		}
		packs = append(packs, p)
	}
	for _, kv := range c.Params {
		name, value, _ := strings.Cut(kv, "=")
		name, operator, perOperator := strings.Cut(name, "@")
		packID, param, _ := strings.Cut(name, ".")
		d, err := cf.ParseDate(value)
		if err != nil {
			t.Fatalf("param %s: %v", kv, err)
		}
		found := false
		for _, p := range packs {
			if p.ID == packID {
				found = true
				if perOperator {
					err = p.SetOperatorParam(param, operator, d)
				} else {
					err = p.SetParam(param, d)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		if !found {
			t.Fatalf("param %s: no pack %s in the case", kv, packID)
		}
	}
	return packs
}

func describe(inv *inventory.Inventory, res *policy.Result, fullIDs bool) []string {
	var out []string
	for i := range res.Findings {
		f := &res.Findings[i]
		subject := ""
		switch {
		case f.Rule.Kind == policy.KindFlow: // a sensitive site, and an element on its paths
			subject = inv.Sites[f.Site].ID
			if f.Element != inventory.NoRef {
				subject += "/" + inv.Elements[f.Element].ID
			}
		case f.Element != inventory.NoRef:
			subject = inv.Elements[f.Element].ID
		case f.Domain != cf.DomainNone:
			subject = inv.Operators[f.Operator].ID + "/" + f.Domain.String()
		default:
			subject = inv.Operators[f.Operator].ID
		}
		rule := f.Rule.LocalID
		if fullIDs {
			rule = f.Rule.ID
		}
		line := fmt.Sprintf("%s %s %s", f.Status, rule, subject)
		if f.Metric != "" {
			line += " " + f.Metric
			if f.Value != nil {
				line += "=" + strconv.FormatFloat(f.Value.Float(), 'g', 6, 64)
			}
		}
		if f.Status == policy.StatusUpcoming {
			line += fmt.Sprintf(" days_left=%d", f.DaysLeft)
		}
		if f.Waiver != nil {
			if f.WaiverExpired() {
				line += " expired-waiver=" + f.Waiver.Expires.String()
			} else {
				line += " waiver=" + f.Waiver.Expires.String()
			}
		}
		out = append(out, line)
	}
	return out
}

// TestUnmeasuredReasons: an unmeasured finding says why it is one — the
// vendor it resembles, the technology the topology does not tell.
func TestUnmeasuredReasons(t *testing.T) {
	inv, err := importer.Load("testdata/check/vendor-near-miss/inventory.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pack, err := policy.LoadFile("testdata/check/vendor-near-miss/pack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	asOf, _ := cf.ParseDate("2024-01-01")
	res, err := policy.Check(context.Background(), inv, []*policy.Pack{pack}, policy.Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"r5g s1-gnb": {`vendor "Huawie Technologies" matches no known group but resembles designated vendor "huawei"`},
		"r5g s2-rtr": {`vendor "Hauwei Technologies"`, "technology unknown: it carries, hosts and manages no element of known technology"},
		"ban s2-rtr": {`vendor "Hauwei Technologies"`, "no install date"},
	}
	for i := range res.Findings {
		f := &res.Findings[i]
		key := f.Rule.LocalID + " " + inv.Elements[f.Element].ID
		for _, w := range want[key] {
			if !strings.Contains(f.Message(inv), w) {
				t.Errorf("%s: message %q does not say %q", key, f.Message(inv), w)
			}
		}
		delete(want, key)
	}
	for key := range want {
		t.Errorf("no finding %s", key)
	}
}

// TestBasisReasons checks what the findings of testdata/check/basis say
// for themselves: why an advisory finding does not bind, which parameter
// an undated rule needs, why a restricted use is unknown.
func TestBasisReasons(t *testing.T) {
	dir := "testdata/check/basis"
	inv, err := importer.Load(filepath.Join(dir, "inventory.yaml"), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pack, err := policy.LoadFile(filepath.Join(dir, "pack.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	asOf, _ := cf.ParseDate("2023-12-31")
	res, err := policy.Check(context.Background(), inv, []*policy.Pack{pack}, policy.Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{ // rule/element → what the message says
		"by-as-of/amf-hw":      {`due by 2023-12-31 (missed from 2024-01-01, 1 day after the as-of date)`},
		"by-day-before/amf-hw": {`was due by 2023-12-30`},
		"draft/amf-hw":         {"short of", "draft: the requirement is known only from a draft or consultation"},
		"constructed/amf-hw":   {"constructed date: the source gives no date"},
		"not-binding/amf-hw":   {"not binding: binds others, not operators"},
		"default-date/amf-hw":  {"constructed date: 2023-06-30 is the default of parameter with_default"},
		"unset-date/amf-hw":    {"parameter t.unset", "--param t.unset=YYYY-MM-DD"},
		"restricted/cam-hik":   {"Hikvision is restricted here only for public-safety and national-security uses", "site DC1 carries none of the tags national-security, cni-safety and the element has no covered_use attribute"},
		"per-element/gnb-a":    {"was due by 2023-06-30"},
		"per-element/gnb-c":    {"no auth_end attribute and parameter t.auth_end is not set", "--param t.auth_end=YYYY-MM-DD"},
		"per-element/gnb-d":    {`attribute auth_end: "end of 2028" is not a date written YYYY-MM-DD`},
	}
	seen := 0
	for i := range res.Findings {
		f := &res.Findings[i]
		key := f.Rule.LocalID + "/" + inv.Elements[f.Element].ID
		msg := f.Message(inv)
		for _, s := range want[key] {
			if !strings.Contains(msg, s) {
				t.Errorf("%s: message %q lacks %q", key, msg, s)
			}
		}
		if want[key] != nil {
			seen++
		}
		b := f.Basis
		switch f.Rule.LocalID {
		case "by-as-of", "by-day-before", "restricted", "unset-date":
			if !b.Binding || b.Reason != "" {
				t.Errorf("%s: basis %+v, want binding with no reason", key, *b)
			}
		case "per-element":
			if b.Date != policy.DateStated {
				t.Errorf("%s: date basis %q, want stated", key, b.Date)
			}
		default:
			if b.Binding || b.Reason == "" {
				t.Errorf("%s: basis %+v, want not binding, with a reason", key, *b)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d findings looked for", seen, len(want))
	}
	if n := res.Count()[policy.StatusAdvisory]; n != 4 {
		t.Errorf("Count()[advisory] = %d, want 4", n)
	}
	if res.Compliant() {
		t.Error("Compliant() despite violations")
	}
}

// wantBlock is the want: list of a case.yaml, up to the next top-level key.
var wantBlock = regexp.MustCompile(`(?m)^want:\n(?:[ \t]+.*\n|\n)*`)

// rewriteWant replaces the want: list of a case file with got (-update),
// keeping everything else, comments included; review the diff.
func rewriteWant(t *testing.T, path string, data []byte, got []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("want:\n")
	for _, g := range got {
		fmt.Fprintf(&b, "  - %s\n", g)
	}
	if !wantBlock.Match(data) {
		t.Fatalf("%s: no want: list to rewrite", path)
	}
	out := wantBlock.ReplaceAllLiteral(data, []byte(b.String()))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
