package cli

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/corefence/corefence/internal/exposure"
)

// exposureMetrics are the figures `exposure --fail-on` can gate on, each
// measured per vendor group and operator.
var exposureMetrics = map[string]string{
	"traffic_share":        "share of the operator's routed traffic that passes the vendor's elements",
	"cleartext_share":      "share of the operator's routed traffic the vendor's elements handle in clear",
	"sites_lost":           "sites the operator loses if the vendor's equipment is switched off",
	"sites_lost_share":     "the same as a share of the operator's 4G and 5G sites",
	"traffic_lost_share":   "share of the operator's traffic lost if the vendor's equipment is switched off",
	"sensitive_sites_lost": "national-security sites and sites in sensitive areas lost",
	"core_functions_lost":  "core functions with no working instance left",
}

// threshold is one `--fail-on` condition: [VENDOR:]METRIC OP LIMIT.
type threshold struct {
	text   string
	vendor string // a vendor group id; "" means every designated group analysed
	metric string
	op     string
	limit  float64
}

// thresholdRE is compiled on first use: most commands take no --fail-on.
var thresholdRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*(?:([a-z0-9][a-z0-9._-]*)\s*:\s*)?([a-z_]+)\s*(>=|<=|>|<)\s*([0-9]+(?:\.[0-9]+)?)\s*$`)
})

func parseThreshold(s string) (threshold, error) {
	m := thresholdRE().FindStringSubmatch(s)
	if m == nil {
		return threshold{}, usagef("--fail-on %q: want [VENDOR:]METRIC>LIMIT (or >=, <, <=), e.g. 'traffic_share>0.35' or 'huawei:sites_lost>0'", s)
	}
	if _, ok := exposureMetrics[m[2]]; !ok {
		names := make([]string, 0, len(exposureMetrics))
		for k := range exposureMetrics {
			names = append(names, k)
		}
		sort.Strings(names)
		return threshold{}, usagef("--fail-on %q: unknown metric %q (want one of %s)", s, m[2], strings.Join(names, ", "))
	}
	limit, _ := strconv.ParseFloat(m[4], 64)
	return threshold{text: strings.TrimSpace(s), vendor: m[1], metric: m[2], op: m[3], limit: limit}, nil
}

// breach is a threshold one vendor group and operator exceed.
type breach struct {
	threshold threshold
	vendor    string
	operator  string
	value     float64
}

func (b breach) String() string {
	return fmt.Sprintf("%s: %s at %s is %s", b.threshold.text, b.vendor, b.operator, strconv.FormatFloat(b.value, 'g', 6, 64))
}

// checkThresholds returns every vendor group and operator that meets a
// threshold's condition, in report order. A threshold naming a vendor
// group the report did not analyse is an error, so that a gate never
// passes by looking at nothing.
func checkThresholds(rep *exposure.Report, ths []threshold, vendorsNamed bool) ([]breach, error) {
	analysed := map[string]bool{}
	designated := map[string]bool{}
	anyDesignated := false
	for _, v := range rep.Vendors {
		analysed[v.ID] = true
		designated[v.ID] = v.Designated
		anyDesignated = anyDesignated || v.Designated
	}
	for _, th := range ths {
		if th.vendor != "" && !analysed[th.vendor] {
			return nil, usagef("--fail-on %q: vendor group %q was not analysed; name it with --vendor", th.text, th.vendor)
		}
		// Without --vendor every designated group present is analysed, so
		// none means there is none; with it, the user left them out.
		if th.vendor == "" && !anyDesignated && vendorsNamed {
			return nil, usagef("--fail-on %q applies to designated vendor groups, and --vendor named none; write VENDOR:%s", th.text, th.text)
		}
	}
	applies := func(th threshold, vendor string) bool {
		if th.vendor == "" {
			return designated[vendor]
		}
		return th.vendor == vendor
	}
	var out []breach
	for _, th := range ths {
		measure := func(vendor, operator string, value float64) {
			if applies(th, vendor) && exceeds(value, th.op, th.limit) {
				out = append(out, breach{threshold: th, vendor: vendor, operator: operator, value: value})
			}
		}
		switch th.metric {
		case "traffic_share", "cleartext_share":
			for _, t := range rep.TrafficExposure {
				v := t.TrafficShare
				if th.metric == "cleartext_share" {
					v = t.CleartextShare
				}
				measure(t.Vendor, t.Operator, v)
			}
		default:
			for _, ks := range rep.KillSwitch {
				for _, o := range ks.Operators {
					measure(ks.Vendor, o.Operator, killSwitchFigure(th.metric, &o))
				}
			}
		}
	}
	return out, nil
}

func killSwitchFigure(metric string, o *exposure.OperatorKillSwitch) float64 {
	switch metric {
	case "sites_lost":
		return float64(o.SitesLost)
	case "sites_lost_share":
		if o.SitesTotal == 0 {
			return 0
		}
		return float64(o.SitesLost) / float64(o.SitesTotal)
	case "traffic_lost_share":
		if total := o.TrafficTotal.Float(); total > 0 {
			return o.TrafficLost.Float() / total
		}
		return 0
	case "sensitive_sites_lost":
		return float64(o.SensitiveSitesLost)
	case "core_functions_lost":
		return float64(len(o.CoreFunctionsLost))
	}
	return 0
}

func exceeds(v float64, op string, limit float64) bool {
	switch op {
	case ">":
		return v > limit
	case ">=":
		return v >= limit
	case "<":
		return v < limit
	}
	return v <= limit
}
