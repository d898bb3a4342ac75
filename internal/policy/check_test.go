package policy_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

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
type checkCase struct {
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
			inv, err := importer.Load(invPath, inventory.Options{})
			if err != nil {
				t.Fatalf("load %s: %v", invPath, err)
			}
			pack, err := policy.LoadFile(filepath.Join(dir, "pack.yaml"))
			if err != nil {
				t.Fatalf("pack: %v", err)
			}
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
			res, err := policy.Check(context.Background(), inv, []*policy.Pack{pack}, opts)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			got := describe(inv, res)
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

func describe(inv *inventory.Inventory, res *policy.Result) []string {
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
		line := fmt.Sprintf("%s %s %s", f.Status, f.Rule.LocalID, subject)
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
