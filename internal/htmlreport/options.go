package htmlreport

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/policy"
)

// PolicyOptions compares policy options as the planner costs them
// (planner.Compare): one table row and one chart panel per option.
type PolicyOptions struct {
	Vendor string // the designated vendor whose share is charted, e.g. "Huawei"
	// Lede says how the options were planned; Note what the costs include
	// and where the figures come from. Both are shown as written.
	Lede, Note string
	// Measure names what the charts' y axis measures, e.g. "share of 5G
	// access sites"; Cap, when above 0, is drawn as a line (a fraction).
	Measure  string
	Cap      float64
	CapLabel string // e.g. "35% cap"
	// Start and End are the planning horizon, the charts' x axis.
	Start, End cf.Date
	Options    []PolicyOption
}

// PolicyOption is one option's planned outcome. Money is in thousands of
// pounds, as the planner's.
type PolicyOption struct {
	Name   string // short, e.g. "removal"
	Packs  []string
	Status string // the planner's: optimal, feasible, infeasible, unknown
	// Planned is false when the planner found no plan: the figures below
	// are then not shown.
	Planned                         bool
	Jobs                            int
	Total, Capital, Writeoff, Delay float64
	Finish                          cf.Date // zero: nothing to do
	RolloutDelay                    float64 // months, worst operator
	TrafficYears                    float64 // Gbps·years over designated equipment
	DeadlinesMissed                 int
	Gap                             float64 // (cost − bound) / cost
	Series                          []ShareSeries
}

// ShareSeries is one operator's designated share over time under one
// option.
type ShareSeries struct {
	Operator string // the operator's id in the report's inventory
	Points   []SharePoint
}

// SharePoint is a share at a date.
type SharePoint struct {
	Date  cf.Date
	Share float64 // 0..1
}

type optionsView struct {
	Vendor, Lede, Note, Measure, CapLabel string
	Start, End                            string
	Rows                                  []optionRow
	Legend                                []lineKey
	Panels                                []optionPanel
	W, H                                  int
}

type optionRow struct {
	Name, Packs                          string
	Planned                              bool
	Total, Breakdown                     string
	Finish, Delay, Traffic, Status, Jobs string
	Missed                               int
	Bad                                  bool // no plan
}

type lineKey struct{ Name, Color string }

type optionPanel struct {
	Name, Transform            string
	X0, X1, Y0, Y1             string // the plot's frame
	CapY, CapLabelY, CapLabelX string
	YTicks, XTicks             []axisTick
	Lines                      []panelLine
	NoPlan                     bool
	NoPlanX, NoPlanY, TitleX   string
}

type axisTick struct{ X, Y, Label string }

type panelLine struct {
	Name, Color, Points, Title string
	EndX, EndY                 string
}

// lineColors are the operators' line colours, in order.
var lineColors = []string{"#1f5f99", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#5c940d", "#495057"}

const (
	panelW      = 360
	panelGap    = 20
	panelTop    = 30 // room for the panel's title
	panelLeft   = 44 // room for the y ticks
	panelRight  = 14
	panelPlotH  = 210
	panelBottom = 26 // room for the x ticks
)

func optionsOf(po *PolicyOptions, v *view) (*optionsView, error) {
	if po == nil {
		return nil, nil
	}
	if len(po.Options) == 0 {
		return nil, fmt.Errorf("htmlreport: policy options with no option")
	}
	if po.End <= po.Start {
		return nil, fmt.Errorf("htmlreport: policy options: horizon %s to %s", po.Start, po.End)
	}
	ov := &optionsView{Vendor: po.Vendor, Lede: po.Lede, Note: po.Note, Measure: po.Measure, CapLabel: po.CapLabel,
		Start: po.Start.String(), End: po.End.String()}
	// The operators' colours follow the report's operator order.
	color, name := map[string]string{}, map[string]string{}
	for _, op := range v.Operators {
		name[op.ID] = op.Name
	}
	addOp := func(id string) {
		if _, ok := color[id]; ok {
			return
		}
		c := lineColors[len(color)%len(lineColors)]
		color[id] = c
		if name[id] == "" {
			name[id] = id
		}
		ov.Legend = append(ov.Legend, lineKey{Name: name[id], Color: c})
	}
	seen := map[string]bool{}
	for _, o := range po.Options {
		for _, s := range o.Series {
			seen[s.Operator] = true
		}
	}
	for _, op := range v.Operators {
		if seen[op.ID] {
			addOp(op.ID)
		}
	}
	for _, o := range po.Options {
		for _, s := range o.Series {
			addOp(s.Operator)
		}
	}

	// The y axis: 0 to the highest share (or the cap), rounded up to 20%.
	top := po.Cap
	for _, o := range po.Options {
		for _, s := range o.Series {
			for _, p := range s.Points {
				top = math.Max(top, p.Share)
			}
		}
	}
	top = math.Min(1, math.Max(0.2, math.Ceil(top*5-1e-9)/5))

	span := float64(po.End.Sub(po.Start))
	plotW := float64(panelW - panelLeft - panelRight)
	x0, x1 := float64(panelLeft), float64(panelLeft)+plotW
	y0, y1 := float64(panelTop), float64(panelTop+panelPlotH)
	xOf := func(d cf.Date) float64 {
		f := float64(d.Sub(po.Start)) / span
		return x0 + plotW*math.Max(0, math.Min(1, f))
	}
	yOf := func(s float64) float64 { return y1 - (y1-y0)*s/top }

	var xTicks []axisTick
	step := 1
	if years := po.End.Time().Year() - po.Start.Time().Year(); years > 6 {
		step = 2
	}
	for y := po.Start.Time().Year() + 1; ; y += step {
		d := cf.NewDate(y, time.January, 1)
		if d > po.End {
			break
		}
		xTicks = append(xTicks, axisTick{X: f1(xOf(d)), Y: f1(y1 + 17), Label: strconv.Itoa(y)})
	}
	var yTicks []axisTick
	for s := 0.0; s <= top+1e-9; s += 0.2 {
		yTicks = append(yTicks, axisTick{X: f1(x0 - 6), Y: f1(yOf(s)), Label: fmt.Sprintf("%.0f%%", 100*s)})
	}

	for i, o := range po.Options {
		row := optionRow{Name: o.Name, Packs: strings.Join(o.Packs, " + "), Planned: o.Planned, Missed: o.DeadlinesMissed,
			Jobs: thousands(int64(o.Jobs))}
		row.Status = o.Status
		if o.Planned {
			row.Total = money(o.Total)
			if money(o.Total) != "£0" {
				row.Breakdown = fmt.Sprintf("capital %s · write-off %s · delay %s", money(o.Capital), money(o.Writeoff), money(o.Delay))
			}
			row.Finish = "nothing to do"
			if !o.Finish.IsZero() {
				row.Finish = o.Finish.String()
			}
			row.Delay = strconv.FormatFloat(o.RolloutDelay, 'f', 1, 64)
			row.Traffic = thousands(int64(math.Round(o.TrafficYears)))
			if o.Gap > 0 {
				row.Jobs += " jobs · within " + gapPct(o.Gap) + " of its lower bound"
			} else {
				row.Jobs += " jobs"
			}
		} else {
			row.Bad = true
		}
		ov.Rows = append(ov.Rows, row)

		p := optionPanel{Name: o.Name, Transform: fmt.Sprintf("translate(%d 0)", i*(panelW+panelGap)),
			X0: f1(x0), X1: f1(x1), Y0: f1(y0), Y1: f1(y1), XTicks: xTicks, YTicks: yTicks,
			TitleX: f1(x0), NoPlan: !o.Planned, NoPlanX: f1((x0 + x1) / 2), NoPlanY: f1((y0 + y1) / 2)}
		if po.Cap > 0 {
			p.CapY = f1(yOf(po.Cap))
			p.CapLabelY = f1(yOf(po.Cap) - 5)
			p.CapLabelX = f1(x1)
		}
		for _, s := range o.Series {
			if len(s.Points) == 0 {
				continue
			}
			var pts, parts []string
			for _, pt := range s.Points {
				pts = append(pts, f1(xOf(pt.Date))+","+f1(yOf(pt.Share)))
			}
			first, last := s.Points[0], s.Points[len(s.Points)-1]
			parts = append(parts, fmt.Sprintf("%s %s", first.Date, policy.Percent(first.Share)))
			if d := firstUnder(s.Points, po.Cap); po.Cap > 0 && first.Share > po.Cap && d != "" {
				parts = append(parts, "at or under the cap by "+d)
			}
			parts = append(parts, fmt.Sprintf("%s %s", last.Date, policy.Percent(last.Share)))
			p.Lines = append(p.Lines, panelLine{Name: name[s.Operator], Color: color[s.Operator], Points: strings.Join(pts, " "),
				Title: fmt.Sprintf("%s under %s: %s", name[s.Operator], o.Name, strings.Join(parts, "; ")),
				EndX:  f1(xOf(last.Date)), EndY: f1(yOf(last.Share))})
		}
		ov.Panels = append(ov.Panels, p)
	}
	ov.W = len(po.Options)*(panelW+panelGap) - panelGap
	ov.H = panelTop + panelPlotH + panelBottom
	return ov, nil
}

// firstUnder is the first date at which the share is at or under the cap.
func firstUnder(pts []SharePoint, c float64) string {
	for _, p := range pts {
		if p.Share <= c+1e-12 {
			return p.Date.String()
		}
	}
	return ""
}

// money formats £k as £m: "£386m", "£1.54bn", "£0".
func money(k float64) string {
	m := k / 1000
	switch {
	case math.Abs(m) < 0.05:
		return "£0"
	case math.Abs(m) >= 1000:
		return "£" + strconv.FormatFloat(m/1000, 'f', 2, 64) + "bn"
	case math.Abs(m) < 10:
		return "£" + strconv.FormatFloat(m, 'f', 1, 64) + "m"
	}
	return "£" + strconv.FormatFloat(math.Round(m), 'f', 0, 64) + "m"
}

func gapPct(g float64) string {
	if g < 0.001 {
		return "0.1%"
	}
	return strconv.FormatFloat(100*g, 'f', 1, 64) + "%"
}
