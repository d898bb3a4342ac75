package policy_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/vendor"
)

// The built-in pack ids are part of the check contract.
var contractIDs = []string{"au-2018", "ca-2022", "de-2024", "eu-5g-toolbox", "fr-2019", "se-pts-2020",
	"uk-2019-nsc", "uk-2020-07", "uk-2020-ncsc", "uk-dvd-2022", "us-covered-list"}

func TestBuiltinPackIDs(t *testing.T) {
	if got := policy.BuiltinIDs(); !slices.Equal(got, contractIDs) {
		t.Errorf("BuiltinIDs() = %v, want %v", got, contractIDs)
	}
}

// TestBuiltinPacksCite holds every built-in rule to the product's bar: it
// cites a source with a URL, states its confidence, explains an
// interpretation, and names only functions and vendor groups that exist.
func TestBuiltinPacksCite(t *testing.T) {
	packs, err := policy.BuiltinPacks()
	if err != nil {
		t.Fatal(err)
	}
	catalogue := inventory.BuiltinCatalogue()
	registry := vendor.Builtin()
	for _, p := range packs {
		if !p.Builtin {
			t.Errorf("%s: Builtin not set", p.ID)
		}
		if p.Summary == "" || p.Published.IsZero() || p.Jurisdiction == "" || p.Version == "" {
			t.Errorf("%s: summary, published, jurisdiction and version are required of a built-in pack", p.ID)
		}
		if p.Binding == nil {
			t.Errorf("%s: a built-in pack says whether it binds (binding: true or false)", p.ID)
		} else if !*p.Binding && p.BindingNote == "" {
			t.Errorf("%s: a built-in pack that does not bind says why (binding_note)", p.ID)
		}
		// Citations point at public sources, never at documents outside
		// the repository.
		texts := []string{p.Summary}
		for _, prm := range p.Parameters {
			texts = append(texts, prm.Description)
			if !prm.Default.IsZero() && !strings.Contains(prm.Description, "constructed") {
				t.Errorf("%s: parameter %s has a default; its description must say it is constructed", p.ID, prm.Name)
			}
		}
		for i := range p.Rules {
			texts = append(texts, p.Rules[i].Citation, p.Rules[i].Interpretation)
		}
		for _, text := range texts {
			if strings.Contains(strings.ToLower(text), "fact base") {
				t.Errorf("%s: cites the fact base, a document outside the repository: %q", p.ID, text)
			}
		}
		for _, id := range p.Designated {
			if g, ok := registry.Group(id); !ok || !g.Designated {
				t.Errorf("%s: designated %q is not a designated group of the vendor registry", p.ID, id)
			}
		}
		for i := range p.Rules {
			r := &p.Rules[i]
			if r.Citation == "" {
				t.Errorf("%s: no citation", r.ID)
			}
			withURL := 0
			for _, s := range r.Sources(p) {
				if s.URL != "" {
					withURL++
				}
			}
			if withURL == 0 {
				t.Errorf("%s: no source with a URL", r.ID)
			}
			if r.Confidence == "" {
				t.Errorf("%s: no confidence", r.ID)
			}
			if r.Confidence == "interpreted" && r.Interpretation == "" {
				t.Errorf("%s: interpreted without saying how", r.ID)
			}
			for _, f := range r.Scope.Functions {
				if _, ok := catalogue.Lookup(f); !ok {
					t.Errorf("%s: scope names unknown function %q", r.ID, f)
				}
			}
			if r.Where != "" {
				t.Errorf("%s: built-in rules do not use where (it cannot be shown to users as plainly as a scope)", r.ID)
			}
			if r.Binding != nil && !*r.Binding && r.BindingNote == "" {
				t.Errorf("%s: a rule marked not binding says why (binding_note)", r.ID)
			}
		}
	}
}

// TestBuiltinIsFresh guards against shared state: setting a parameter on
// one copy must not change another.
func TestBuiltinIsFresh(t *testing.T) {
	a, ok, err := policy.Builtin("us-covered-list")
	if !ok || err != nil {
		t.Fatalf("Builtin(us-covered-list) = %v, %v", ok, err)
	}
	b, _, _ := policy.Builtin("us-covered-list")
	if len(a.Parameters) == 0 {
		t.Fatal("us-covered-list has no parameters; the contract says its removal deadline is one")
	}
	name := a.Parameters[0].Name
	if err := a.SetParam(name, cf.NewDate(2025, 6, 30)); err != nil {
		t.Fatal(err)
	}
	if b.Parameters[0].Value != b.Parameters[0].Default || b.Parameters[0].Set {
		t.Errorf("SetParam on one copy changed another")
	}
}

// TestBuiltinBasis pins how firmly each built-in pack binds, and which of
// its rules do not bind even so: the answer a regulator reads first.
func TestBuiltinBasis(t *testing.T) {
	want := map[string]string{ // pack → binding, or the rules that do not bind in a binding pack
		"uk-dvd-2022":     "binding except 5g-access-cap security-critical transmission",
		"us-covered-list": "binding except equipment-authorization-ban",
		"de-2024":         "binding",
		"se-pts-2020":     "binding except no-new-central-functions", // its licence award date is a constructed default until set
		"uk-2019-nsc":     "not binding",
		"uk-2020-ncsc":    "not binding",
		"uk-2020-07":      "not binding",
		"ca-2022":         "not binding",
		"fr-2019":         "not binding",
		"au-2018":         "not binding",
		"eu-5g-toolbox":   "not binding",
	}
	packs, err := policy.BuiltinPacks()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		got := "not binding"
		if p.Binds() {
			var except []string
			for i := range p.Rules {
				if b := p.Rules[i].Basis(p); !b.Binding {
					except = append(except, p.Rules[i].LocalID)
				}
			}
			got = "binding"
			if len(except) > 0 {
				got += " except " + strings.Join(except, " ")
			}
		}
		if got != want[p.ID] {
			t.Errorf("%s: %s, want %s", p.ID, got, want[p.ID])
		}
	}
}

// TestCoveredListRemovalNeedsDate: with no removal deadline given, the
// Covered List's removal findings are unmeasured, and say how to give it.
func TestCoveredListRemovalNeedsDate(t *testing.T) {
	inv, err := importer.Load("testdata/check/builtin-us-unset/inventory.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := policy.Builtin("us-covered-list")
	if err != nil {
		t.Fatal(err)
	}
	res, err := policy.Check(context.Background(), inv, []*policy.Pack{p}, policy.Options{AsOf: cf.NewDate(2024, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Rule.LocalID != "removal" {
			continue
		}
		n++
		if msg := f.Message(inv); f.Status != policy.StatusUnmeasured || !strings.Contains(msg, "--param us-covered-list.removal_deadline=YYYY-MM-DD") {
			t.Errorf("removal finding: %s: %s", f.Status, msg)
		}
		if !f.Effective.IsZero() {
			t.Errorf("removal finding has an effective date %s with no deadline given", f.Effective)
		}
	}
	if n != 2 {
		t.Errorf("%d removal findings, want 2 (Huawei and ZTE only)", n)
	}
}
