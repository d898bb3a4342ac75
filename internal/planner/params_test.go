package planner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

func parseTestdata(t *testing.T, name string) (*Params, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "params", name))
	if err != nil {
		t.Fatal(err)
	}
	return ParseParams(name, data)
}

func TestParamsFull(t *testing.T) {
	p, err := parseTestdata(t, "full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"start", p.Start, cf.NewDate(2021, time.January, 1)},
		{"period", p.Period, Month},
		{"tail", *p.Tail, 4},
		{"crews.per_1000_sites", *p.Crews.Per1000, 5.0},
		{"crews.operators.alpha.regions", p.Crews.Operators["alpha"].Regions["South West"], 1.0},
		{"effort.macro", p.Effort["macro"], 1.5},
		{"effort.small-cell (default)", p.Effort["small-cell"], 0.5},
		{"costs.equipment.antenna:5g", p.Costs.Equipment["antenna:5g"], 12.0},
		{"costs.equipment.enb (default)", p.Costs.Equipment["enb"], 15.0},
		{"costs.life_years.core (default)", p.Costs.LifeYears["core"], 7.0},
		{"vendors.nokia.price_factor", *p.Vendors["nokia"].PriceFactor, 1.1},
		{"budget.operators.alpha.years.2022", p.Budget.Operators["alpha"].Years["2022"], 3000.0},
		{"colocated", *p.Colocated, false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestParamsDefaults(t *testing.T) {
	p, err := ParseParams("min.yaml", []byte("start: 2021-01-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultParams()
	if p.Period != Quarter || p.Tail != nil || *p.Crews.Per1000 != *d.Crews.Per1000 || *p.Costs.Delay != *d.Costs.Delay || !*p.Colocated {
		t.Errorf("defaults not applied: %+v", p)
	}
	if _, err := ParseParams("none.yaml", []byte("period: month\n")); err == nil || !strings.Contains(err.Error(), "start: missing required field") {
		t.Errorf("no start: %v, want a missing-field error", err)
	}
}

// TestParamsErrors checks every error against its want file.
func TestParamsErrors(t *testing.T) {
	for _, name := range []string{"errors", "unknown", "hostile"} {
		_, err := parseTestdata(t, name+".yaml")
		checkWant(t, name, err)
	}
}

// TestParamsAgainstInventory checks what only the inventory and packs can
// tell: operators, regions, functions and designated replacement vendors.
func TestParamsAgainstInventory(t *testing.T) {
	p, err := parseTestdata(t, "inventory.yaml")
	if err != nil {
		t.Fatal(err)
	}
	inv := smallFixture(t)
	pk, err := policy.Open("uk-dvd-2022")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(context.Background(), inv, []*policy.Pack{pk}, p)
	checkWant(t, "inventory", err)
}

func checkWant(t *testing.T, name string, err error) {
	t.Helper()
	ps, ok := cf.AsProblems(err)
	if !ok {
		t.Fatalf("%s: %v, want problems", name, err)
	}
	var lines []string
	for _, pr := range ps.List {
		lines = append(lines, pr.Error())
	}
	got := strings.Join(lines, "\n") + "\n"
	wantPath := filepath.Join("testdata", "params", name+".want")
	want, err := os.ReadFile(wantPath)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s: problems\n%s\nwant (%s)\n%s", name, got, wantPath, want)
	}
}

func smallFixture(t testing.TB) *inventory.Inventory {
	t.Helper()
	inv, err := importer.Load(filepath.Join("..", "..", "testdata", "small-network.yaml"), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}
