package htmlreport

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/corefence/corefence/internal/exposure"
)

// KillSwitch is what the networks would lose if one vendor group's
// equipment went dark (exposure's kill switch), in several scenarios: the
// network as it is, and networks derived from it.
type KillSwitch struct {
	Vendor string // the group's name, e.g. "Huawei"
	// Model says, in a sentence or two, how the figures are made; Caveat,
	// what the reader must not take them for. Both are shown as written.
	Model, Caveat string
	Scenarios     []KillScenario
}

// KillScenario is one network and its kill switch.
type KillScenario struct {
	Title  string // short: a column heading, e.g. "2028, removal"
	Detail string // one line under it, e.g. the packs complied with
	// Operators is the kill switch per operator, in the report's
	// inventory's operator order (matched by operator id).
	Operators []exposure.OperatorKillSwitch
}

type killView struct {
	Vendor, Model, Caveat string
	Scenarios             []killScenarioView
	Rows                  []killRowView
}

type killScenarioView struct{ Title, Detail string }

type killRowView struct {
	Name  string
	Total bool // the sum over the operators; it lists no core functions
	Cells []killCell
}

type killCell struct {
	Missing              bool // the operator is not in the scenario's network
	Lost, Total          string
	SitesPct, TrafficPct string
	Sensitive            int
	Core                 string // the core functions lost, or ""
	None                 bool   // nothing lost
	Title                string // the figures behind the cell
}

func killSwitchOf(r *Report, v *view) (*killView, error) {
	ks := r.KillSwitch
	if ks == nil {
		return nil, nil
	}
	if len(ks.Scenarios) == 0 {
		return nil, fmt.Errorf("htmlreport: kill switch with no scenarios")
	}
	kv := &killView{Vendor: ks.Vendor, Model: ks.Model, Caveat: ks.Caveat}
	for _, s := range ks.Scenarios {
		kv.Scenarios = append(kv.Scenarios, killScenarioView{Title: s.Title, Detail: s.Detail})
	}
	type sum struct {
		lost, total, sensitive int
		trafficLost, traffic   float64
		core                   bool
	}
	totals := make([]sum, len(ks.Scenarios))
	for _, op := range v.Operators {
		row := killRowView{Name: op.Name}
		for _, s := range ks.Scenarios {
			var o *exposure.OperatorKillSwitch
			for i := range s.Operators {
				if s.Operators[i].Operator == op.ID {
					o = &s.Operators[i]
				}
			}
			if o == nil {
				row.Cells = append(row.Cells, killCell{Missing: true})
				continue
			}
			c := killCell{Lost: thousands(int64(o.SitesLost)), Total: thousands(int64(o.SitesTotal)),
				SitesPct: share(float64(o.SitesLost), float64(o.SitesTotal)), TrafficPct: share(o.TrafficLost.Float(), o.TrafficTotal.Float()),
				Sensitive: o.SensitiveSitesLost, Core: strings.Join(o.CoreFunctionsLost, ", "),
				None: o.SitesLost == 0 && len(o.CoreFunctionsLost) == 0}
			c.Title = fmt.Sprintf("%s of %s sites running 4G or 5G lost (%s in service with every vendor working); "+
				"%s of %s traffic units (the inventory's unit) lost; sensitive sites lost: %d national-security, %d in a sensitive area; %s elements dark",
				c.Lost, c.Total, thousands(int64(o.SitesInService)), o.TrafficLost.String(), o.TrafficTotal.String(),
				o.NationalSecuritySitesLost, o.InAreaSitesLost, thousands(int64(o.ElementsRemoved)))
			row.Cells = append(row.Cells, c)
			t := &totals[len(row.Cells)-1]
			t.lost += o.SitesLost
			t.total += o.SitesTotal
			t.sensitive += o.SensitiveSitesLost
			t.trafficLost += o.TrafficLost.Float()
			t.traffic += o.TrafficTotal.Float()
			t.core = t.core || len(o.CoreFunctionsLost) > 0
		}
		kv.Rows = append(kv.Rows, row)
	}
	if len(kv.Rows) > 1 {
		all := killRowView{Name: "All operators", Total: true}
		for _, t := range totals {
			c := killCell{Lost: thousands(int64(t.lost)), Total: thousands(int64(t.total)),
				SitesPct: share(float64(t.lost), float64(t.total)), TrafficPct: share(t.trafficLost, t.traffic),
				Sensitive: t.sensitive, None: t.lost == 0 && !t.core}
			c.Title = fmt.Sprintf("%s of %s sites running 4G or 5G lost across the operators", c.Lost, c.Total)
			all.Cells = append(all.Cells, c)
		}
		kv.Rows = append(kv.Rows, all)
	}
	return kv, nil
}

// share formats part/whole as a percentage to one decimal; "–" when whole
// is 0, "<0.1%" for a loss too small to show.
func share(part, whole float64) string {
	switch {
	case whole == 0:
		return "–"
	case part == 0:
		return "0%"
	case part/whole < 0.0005:
		return "<0.1%"
	}
	return strconv.FormatFloat(100*part/whole, 'f', 1, 64) + "%"
}
