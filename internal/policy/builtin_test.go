package policy_test

import (
	"slices"
	"testing"

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
	if err := a.SetParam(name, a.Parameters[0].Default+1); err != nil {
		t.Fatal(err)
	}
	if b.Parameters[0].Value != b.Parameters[0].Default {
		t.Errorf("SetParam on one copy changed another")
	}
}
