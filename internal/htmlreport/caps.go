package htmlreport

import (
	"fmt"
	"strings"

	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// capView is one bar chart: each operator's designated share, per metric,
// against a cap. Rules that measure exactly the same shares against the
// same cap share a chart.
type capView struct {
	Cap        string // "35%"
	Designated string // "Huawei"
	Rules      []capRule
	W, H       int
	CapX       string
	PlotTop    string
	PlotBottom string
	CapLabelY  string
	Ticks      []tickMark
	Rows       []capRow
	Over       []string // "EE (sites 41%, traffic 44%)"
}

type capRule struct {
	ID, Title, Effective string
	DueBy                string // "" unless the cap is written "by" a date
	Basis                string // "binding", or "advisory — why"
}

type tickMark struct {
	X, Label string
}

type capRow struct {
	Name, NameY string
	Bars        []capBar
}

type capBar struct {
	Metric, Y, TY, W, TX, MX, X string
	H                           int
	Value, Why                  string
	Over, Unmeasured            bool
}

const (
	chartW      = 900
	chartLabelW = 200 // operator names and metric labels
	chartRight  = 70  // room for a value at 100%
	barH        = 18
	barGap      = 5
	rowGap      = 22
	chartTop    = 30
)

func capsOf(inv *inventory.Inventory, caps []Cap) []capView {
	var out []capView
	keys := map[string]int{}
	for _, c := range caps {
		if c.Rule == nil || c.Rule.Cap == nil {
			continue
		}
		var key strings.Builder
		fmt.Fprintf(&key, "%d|", *c.Rule.Cap)
		for _, sh := range c.Shares {
			fmt.Fprintf(&key, "%d %s %v %s/%s;", sh.Operator, sh.Metric, sh.Measured, sh.Value.Num, sh.Value.Den)
		}
		cr := capRule{ID: c.Rule.ID, Title: c.Rule.Title, Effective: c.Rule.Effective.String(), DueBy: c.Rule.DueBy.String(), Basis: "binding"}
		if c.Pack != nil {
			if b := c.Rule.Basis(c.Pack); !b.Binding {
				cr.Basis = "advisory — " + b.Reason
			}
		}
		if i, ok := keys[key.String()]; ok {
			out[i].Rules = append(out[i].Rules, cr)
			continue
		}
		keys[key.String()] = len(out)
		out = append(out, chartOf(inv, c, cr))
	}
	return out
}

func chartOf(inv *inventory.Inventory, c Cap, cr capRule) capView {
	capF := c.Rule.Cap.Float()
	plotW := float64(chartW - chartLabelW - chartRight)
	xOf := func(f float64) float64 { return chartLabelW + plotW*f }
	v := capView{Cap: policy.Percent(capF), Rules: []capRule{cr}, W: chartW, CapX: f1(xOf(capF))}
	var names []string
	for _, id := range c.Pack.Designated {
		if g, ok := inv.Group(id); ok {
			names = append(names, inv.Groups[g].Name)
		} else {
			names = append(names, id)
		}
	}
	v.Designated = strings.Join(names, ", ")
	for t := 0; t <= 100; t += 20 {
		v.Ticks = append(v.Ticks, tickMark{X: f1(xOf(float64(t) / 100)), Label: fmt.Sprintf("%d%%", t)})
	}
	y := float64(chartTop)
	v.PlotTop = f1(y - 8)
	byOp := map[inventory.Ref][]policy.Share{}
	var ops []inventory.Ref
	for _, sh := range c.Shares {
		if byOp[sh.Operator] == nil {
			ops = append(ops, sh.Operator)
		}
		byOp[sh.Operator] = append(byOp[sh.Operator], sh)
	}
	for _, op := range ops {
		name := operatorName(inv, op)
		shares := byOp[op]
		row := capRow{Name: name, NameY: f1(y + float64(len(shares)*(barH+barGap)-barGap)/2 + 5)}
		var over []string
		for _, sh := range shares {
			f := 0.0
			if sh.Value.Den != nil && sh.Value.Den.Sign() != 0 {
				f = sh.Value.Float()
			}
			b := capBar{Metric: sh.Metric, Y: f1(y), TY: f1(y + barH - 5), W: f1(plotW * f), TX: f1(xOf(f) + 6),
				X: f1(chartLabelW), MX: f1(chartLabelW - 10), H: barH,
				Value: policy.Percent(f), Why: sh.Why, Unmeasured: !sh.Measured}
			if sh.Measured && sh.Value.Den != nil && sh.Value.Den.Sign() != 0 && sh.Value.Exceeds(*c.Rule.Cap) {
				b.Over = true
				over = append(over, sh.Metric+" "+b.Value)
			}
			if !sh.Measured {
				b.Value = "not measurable"
			}
			row.Bars = append(row.Bars, b)
			y += barH + barGap
		}
		if len(over) > 0 {
			v.Over = append(v.Over, fmt.Sprintf("%s (%s)", name, strings.Join(over, ", ")))
		}
		v.Rows = append(v.Rows, row)
		y += rowGap - barGap
	}
	bottom := y - rowGap + barGap + 6
	v.PlotBottom = f1(bottom)
	v.CapLabelY = f1(bottom + 16)
	v.H = int(bottom) + 24
	return v
}
