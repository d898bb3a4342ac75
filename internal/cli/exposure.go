package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/safetext"
	"github.com/corefence/corefence/internal/vendor"
)

const exposureSynopsis = `exposure --inventory PATH [--vendor GROUP]... [--top N] [--include-planned]
                    [--format table|json|csv|geojson] [--fail-on [VENDOR:]METRIC>LIMIT]...`

var exposureFormats = []string{"table", "json", "csv", "geojson"}

func runExposure(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "exposure", exposureSynopsis)
	path := fs.String("inventory", "", "inventory file (.yaml, .yml, .json) or directory of CSV files")
	var vendors listFlag
	fs.Var(&vendors, "vendor", "vendor group to analyse (id or any spelling); repeatable; default: every designated group present and the five largest others")
	top := fs.Int("top", 10, "choke points reported, and rows per list in table output")
	planned := fs.Bool("include-planned", false, "count planned elements as part of the network")
	format := fs.String("format", "table", "output format: "+strings.Join(exposureFormats, ", "))
	lim := limitsFlag(fs)
	var failOn listFlag
	fs.Var(&failOn, "fail-on", "exit 1 when a figure crosses a limit, e.g. 'traffic_share>0.35' (every designated group) or 'huawei:sites_lost>0'; repeatable")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	var thresholds []threshold
	for _, s := range failOn {
		th, err := parseThreshold(s)
		if err != nil {
			return err
		}
		thresholds = append(thresholds, th)
	}
	switch {
	case len(pos) > 0:
		return usagef("unexpected argument %q", pos[0])
	case *path == "":
		return usagef("--inventory is required")
	case *top < 1:
		return usagef("--top %d: want a positive number", *top)
	}
	if err := oneOf("format", *format, exposureFormats); err != nil {
		return err
	}
	say := progress(env)
	start := time.Now()
	inv, err := importer.LoadContextWith(ctx, *path, inventory.Options{}, *lim)
	if err != nil {
		return err
	}
	say("loaded %s: %d sites, %d elements in %s", *path, len(inv.Sites), len(inv.Elements), time.Since(start).Round(time.Millisecond))
	groups, warnings, err := vendorGroups(inv, vendors)
	if err != nil {
		return err
	}
	start = time.Now()
	rep, err := exposure.Analyse(ctx, inv, exposure.AnalyseOptions{Options: exposure.Options{IncludePlanned: *planned}, Vendors: groups, Top: *top})
	if err != nil {
		return err
	}
	rep.Warnings = append(rep.Warnings, warnings...)
	say("analysed %d vendor groups in %s", len(rep.Vendors), time.Since(start).Round(time.Millisecond))

	// Render fully before writing, so that a failure leaves stdout empty.
	var out bytes.Buffer
	switch *format {
	case "json":
		err = writeExposureJSON(&out, rep)
	case "csv":
		err = writeExposureCSV(&out, rep)
	case "geojson":
		err = writeExposureGeoJSON(&out, inv, rep)
	default:
		err = writeExposureTable(&out, rep, *top)
	}
	if err != nil {
		return err
	}
	breaches, err := checkThresholds(rep, thresholds, len(vendors) > 0)
	if err != nil {
		return err
	}
	if _, err := out.WriteTo(env.Stdout); err != nil {
		return err
	}
	for _, b := range breaches {
		fmt.Fprintf(env.Stderr, "corefence exposure: --fail-on %s\n", b)
	}
	if len(breaches) > 0 {
		return errViolations
	}
	return nil
}

// vendorGroups resolves --vendor values: a group id or any spelling the
// registry knows. A known group with nothing in the inventory is a warning,
// an unknown one a usage error. No values means the default selection.
func vendorGroups(inv *inventory.Inventory, names []string) ([]inventory.GroupRef, []cf.Warning, error) {
	if len(names) == 0 {
		return nil, nil, nil
	}
	groups := []inventory.GroupRef{}
	var warnings []cf.Warning
	seen := map[inventory.GroupRef]bool{}
	for _, name := range names {
		g, ok := inv.Group(name)
		if !ok {
			m := inv.Registry.Resolve(name)
			if m.Kind == vendor.Unknown {
				hint := ""
				if m.NearMiss != "" {
					hint = fmt.Sprintf(" (did you mean %q?)", m.NearMiss)
				}
				return nil, nil, usagef("--vendor %q: no such vendor group%s; see `corefence vendors`", name, hint)
			}
			if g, ok = inv.Group(m.Group); !ok {
				warnings = append(warnings, cf.Warning{Code: "vendor-absent",
					Message: fmt.Sprintf("--vendor %s: vendor group %q has no elements in this inventory; nothing to analyse", name, m.Group)})
				continue
			}
		}
		if !seen[g] {
			seen[g] = true
			groups = append(groups, g)
		}
	}
	return groups, warnings, nil
}

func writeExposureJSON(w io.Writer, rep *exposure.Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func pct(part, whole float64) string {
	if whole == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*part/whole, 'f', 1, 64) + "%"
}

func share(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }

func writeExposureTable(w io.Writer, rep *exposure.Report, top int) error {
	var b bytes.Buffer
	inv := rep.Inventory
	fmt.Fprintf(&b, "corefence exposure: %d operators, %d sites, %d elements (%s)\n", inv.Operators, inv.Sites, inv.Elements, shortDigest(inv.Digest))
	var names []string
	for _, v := range rep.Vendors {
		n := fmt.Sprintf("%s (%d %s", v.ID, v.Elements, plural(v.Elements, "element", "elements"))
		if v.Designated {
			n += ", designated"
		}
		names = append(names, n+")")
	}
	fmt.Fprintf(&b, "vendor groups: %s\n", strings.Join(names, ", "))
	table := func(title string, header string, rows func(tw *tabwriter.Writer)) {
		fmt.Fprintf(&b, "\n%s\n", title)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, header)
		rows(tw)
		tw.Flush()
	}

	table("KILL SWITCH — every element of the group goes dark, with everything hosted on it",
		"VENDOR\tOPERATOR\tSITES LOST\tTRAFFIC LOST\tSENSITIVE SITES LOST\tCORE FUNCTIONS LOST", func(tw *tabwriter.Writer) {
			for _, v := range rep.KillSwitch {
				for _, o := range v.Operators {
					core := strings.Join(o.CoreFunctionsLost, ", ")
					if core == "" {
						core = "-"
					}
					fmt.Fprintf(tw, "%s\t%s\t%d of %d (%s)\t%s of %s (%s)\t%d\t%s\n", v.Vendor, o.Operator, o.SitesLost, o.SitesInService,
						pct(float64(o.SitesLost), float64(o.SitesInService)), o.TrafficLost, o.TrafficTotal,
						pct(o.TrafficLost.Float(), o.TrafficTotal.Float()), o.SensitiveSitesLost, core)
				}
			}
		})

	table(fmt.Sprintf("CHOKE POINTS — the %d elements whose single failure loses the most traffic", len(rep.ChokePoints)),
		"ELEMENT\tFUNCTION\tVENDOR\tOPERATOR\tSITES LOST\tTRAFFIC LOST\tSENSITIVE SITES LOST", func(tw *tabwriter.Writer) {
			for _, c := range rep.ChokePoints {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%d\n", safetext.Line(c.Element), c.Function, c.Vendor, c.Operator, c.SitesLost, c.TrafficLost, c.SensitiveSitesLost)
			}
		})

	table("TRAFFIC EXPOSURE — share of each operator's traffic passing the group's elements, and in clear",
		"VENDOR\tOPERATOR\tPASSES\tIN CLEAR\tSITES EXPOSED\tSITES IN CLEAR\tSITES WITHOUT A ROUTE", func(tw *tabwriter.Writer) {
			for _, t := range rep.TrafficExposure {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d of %d\t%d\t%d\n", t.Vendor, t.Operator, share(t.TrafficShare), share(t.CleartextShare),
					t.SitesExposed, t.SitesRouted, t.SitesCleartext, t.SitesUnrouted)
			}
		})

	exposed, clearN, unrouted := 0, 0, 0
	for _, f := range rep.SensitiveFlows {
		if !f.Routed {
			unrouted++
		}
		if len(f.Elements) > 0 {
			exposed++
		}
		for _, e := range f.Elements {
			if e.Cleartext {
				clearN++
				break
			}
		}
	}
	fmt.Fprintf(&b, "\nSENSITIVE FLOWS — designated equipment on the paths of national-security and in-area sites\n")
	fmt.Fprintf(&b, "%d sensitive %s: %d with designated equipment on their paths, %d of them in clear; %d without a route to the core\n",
		len(rep.SensitiveFlows), plural(len(rep.SensitiveFlows), "site", "sites"), exposed, clearN, unrouted)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	listed := 0
	for _, f := range rep.SensitiveFlows {
		if len(f.Elements) == 0 {
			continue
		}
		if listed == top {
			fmt.Fprintf(tw, "  … and %d more (use --format json, csv or geojson for every site)\n", exposed-listed)
			break
		}
		listed++
		why := []string{}
		if f.NationalSecurity {
			why = append(why, "national-security")
		}
		for _, a := range f.Areas {
			why = append(why, "area "+a)
		}
		var els []string
		for _, e := range f.Elements {
			s := fmt.Sprintf("%s %s %s (%s", e.Vendor, e.Function, e.Element, share(e.Share))
			if e.Cleartext {
				s += ", in clear"
			}
			els = append(els, s+")")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", safetext.Line(f.Site), f.Operator, strings.Join(why, ", "), safetext.Line(strings.Join(els, "; ")))
	}
	tw.Flush()

	table("MANAGEMENT REACH — what each group's management systems reach over management links",
		"VENDOR\tMANAGERS\tREACHED\tDIRECTLY\tCORE\tOTHER VENDORS'", func(tw *tabwriter.Writer) {
			for _, r := range rep.ManagementReach {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", r.Vendor, r.Managers, r.Elements, r.Direct, r.CoreElements, r.OtherVendorElements)
			}
		})
	for _, r := range rep.ManagementReach {
		if r.CoreElements == 0 && r.OtherVendorElements == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %s reaches:", r.Vendor)
		n := 0
		for _, c := range r.Reached {
			if c.Vendor == r.Vendor && c.Domain != "core" {
				continue
			}
			if n == top {
				fmt.Fprintf(&b, " …")
				break
			}
			fmt.Fprintf(&b, " %s %s %s ×%d;", c.Operator, c.Vendor, c.Domain, c.Elements)
			n++
		}
		fmt.Fprintln(&b)
	}

	table("SUPPLY DIVERSITY — vendor groups' shares of elements (HHI on 0–10,000)",
		"OPERATOR\tDOMAIN\tELEMENTS\tHHI\tLARGEST\tSHARES", func(tw *tabwriter.Writer) {
			for _, d := range rep.SupplyDiversity {
				op := "national"
				if d.Operator != nil {
					op = *d.Operator
				}
				var shares []string
				for i, v := range d.Vendors {
					if i == 4 {
						shares = append(shares, fmt.Sprintf("+%d more", len(d.Vendors)-i))
						break
					}
					shares = append(shares, v.Vendor+" "+share(v.Share))
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%s %s\t%s\n", op, d.Domain, d.Elements, d.HHI, d.LargestVendor, share(d.LargestShare), strings.Join(shares, ", "))
			}
		})

	if len(rep.Warnings) > 0 {
		fmt.Fprintf(&b, "\nwarnings:\n")
		for _, wn := range rep.Warnings {
			fmt.Fprintf(&b, "  %s: %s\n", wn.Code, safetext.Line(wn.Message))
		}
	}
	_, err := b.WriteTo(w)
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func shortDigest(d string) string {
	if len(d) > 19 {
		return d[:19] + "…"
	}
	return d
}

// exposureCSVHeader: one row per figure, in long form, so that a
// spreadsheet can pivot any section.
var exposureCSVHeader = []string{"section", "vendor", "operator", "domain", "function", "element", "site", "of_vendor", "metric", "value"}

func writeExposureCSV(w io.Writer, rep *exposure.Report) error {
	cw := csv.NewWriter(w)
	cw.Write(exposureCSVHeader)
	type row struct{ section, vendor, operator, domain, function, element, site, ofVendor string }
	put := func(r row, metric string, value any) {
		var v string
		switch x := value.(type) {
		case float64:
			v = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			v = fmt.Sprint(x)
		}
		// Text cells neutralised against formula injection; the value is a
		// number (safetext.CSVCell).
		cw.Write(safetext.CSVRow([]string{r.section, r.vendor, r.operator, r.domain, r.function, r.element, r.site, r.ofVendor, metric, v},
			0, 1, 2, 3, 4, 5, 6, 7, 8))
	}
	for _, v := range rep.KillSwitch {
		for _, o := range v.Operators {
			r := row{section: "kill_switch", vendor: v.Vendor, operator: o.Operator}
			put(r, "sites_total", o.SitesTotal)
			put(r, "sites_in_service", o.SitesInService)
			put(r, "sites_lost", o.SitesLost)
			put(r, "traffic_total", o.TrafficTotal)
			put(r, "traffic_lost", o.TrafficLost)
			put(r, "sensitive_sites_lost", o.SensitiveSitesLost)
			put(r, "national_security_sites_lost", o.NationalSecuritySitesLost)
			put(r, "in_area_sites_lost", o.InAreaSitesLost)
			put(r, "elements_removed", o.ElementsRemoved)
			put(r, "hosted_removed", o.HostedRemoved)
			for _, f := range o.CoreFunctionsLost {
				fr := r
				fr.function = f
				put(fr, "core_function_lost", 1)
			}
			for _, s := range o.LostSites {
				sr := r
				sr.site = s
				put(sr, "site_lost", 1)
			}
		}
	}
	for _, c := range rep.ChokePoints {
		r := row{section: "choke_points", vendor: c.Vendor, operator: c.Operator, function: c.Function, element: c.Element, site: c.Site}
		put(r, "sites_lost", c.SitesLost)
		put(r, "traffic_lost", c.TrafficLost)
		put(r, "sensitive_sites_lost", c.SensitiveSitesLost)
	}
	for _, t := range rep.TrafficExposure {
		r := row{section: "traffic_exposure", vendor: t.Vendor, operator: t.Operator}
		put(r, "traffic_share", t.TrafficShare)
		put(r, "cleartext_share", t.CleartextShare)
		put(r, "traffic", t.Traffic)
		put(r, "cleartext_traffic", t.CleartextTraffic)
		put(r, "routed_traffic", t.RoutedTraffic)
		put(r, "sites_exposed", t.SitesExposed)
		put(r, "sites_cleartext", t.SitesCleartext)
		put(r, "sites_routed", t.SitesRouted)
		put(r, "sites_unrouted", t.SitesUnrouted)
	}
	for _, f := range rep.SensitiveFlows {
		r := row{section: "sensitive_flows", operator: f.Operator, site: f.Site}
		put(r, "routed", f.Routed)
		for _, e := range f.Elements {
			er := row{section: "sensitive_flows", vendor: e.Vendor, operator: f.Operator, function: e.Function, element: e.Element, site: f.Site}
			put(er, "share", e.Share)
			put(er, "cleartext", e.Cleartext)
		}
	}
	for _, m := range rep.ManagementReach {
		r := row{section: "management_reach", vendor: m.Vendor}
		put(r, "managers", m.Managers)
		put(r, "elements", m.Elements)
		put(r, "direct", m.Direct)
		put(r, "core_elements", m.CoreElements)
		put(r, "other_vendor_elements", m.OtherVendorElements)
		for _, c := range m.Reached {
			cr := row{section: "management_reach", vendor: m.Vendor, operator: c.Operator, domain: c.Domain, ofVendor: c.Vendor}
			put(cr, "elements", c.Elements)
			put(cr, "direct", c.Direct)
		}
	}
	for _, d := range rep.SupplyDiversity {
		op := ""
		if d.Operator != nil {
			op = *d.Operator
		}
		r := row{section: "supply_diversity", operator: op, domain: d.Domain}
		put(r, "elements", d.Elements)
		put(r, "hhi", d.HHI)
		lr := r
		lr.vendor = d.LargestVendor
		put(lr, "largest_share", d.LargestShare)
		for _, v := range d.Vendors {
			vr := r
			vr.vendor = v.Vendor
			put(vr, "elements", v.Elements)
			put(vr, "share", v.Share)
			if v.Sites != nil {
				put(vr, "sites", *v.Sites)
				put(vr, "site_share", *v.SiteShare)
				put(vr, "traffic_share", *v.TrafficShare)
			}
		}
	}
	for _, wn := range rep.Warnings {
		cw.Write([]string{"warnings", "", "", "", "", "", "", "", wn.Code, wn.Message})
	}
	cw.Flush()
	return cw.Error()
}

// writeExposureGeoJSON writes, for each vendor group, its lost sites and
// the sites whose traffic passes its elements as Point features (WGS84,
// RFC 7946), which QGIS and most GIS tools open as they are.
func writeExposureGeoJSON(w io.Writer, inv *inventory.Inventory, rep *exposure.Report) error {
	type props struct {
		Site             string  `json:"site"`
		Name             string  `json:"name,omitempty"`
		Operator         string  `json:"operator"`
		Vendor           string  `json:"vendor"`
		Status           string  `json:"status"`
		Traffic          float64 `json:"traffic"`
		TrafficShare     float64 `json:"traffic_share"`
		CleartextShare   float64 `json:"cleartext_share"`
		NationalSecurity bool    `json:"national_security"`
		InArea           bool    `json:"in_area"`
	}
	type geometry struct {
		Type        string     `json:"type"`
		Coordinates [2]float64 `json:"coordinates"`
	}
	type feature struct {
		Type       string   `json:"type"`
		Geometry   geometry `json:"geometry"`
		Properties props    `json:"properties"`
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(`{"type":"FeatureCollection","features":[`)
	first := true
	emit := func(site inventory.Ref, vendor, status string, sh, clr float64) error {
		s := &inv.Sites[site]
		f := feature{Type: "Feature", Geometry: geometry{"Point", [2]float64{s.Lon, s.Lat}},
			Properties: props{Site: s.ID, Name: s.Name, Operator: s.Operator, Vendor: vendor, Status: status,
				Traffic: s.Traffic.Float(), TrafficShare: sh, CleartextShare: clr, NationalSecurity: s.HasTag(inventory.TagNationalSecurity)}}
		for j := range inv.Areas {
			if exposure.InArea(s.Lat, s.Lon, &inv.Areas[j]) {
				f.Properties.InArea = true
				break
			}
		}
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if !first {
			bw.WriteByte(',')
		}
		first = false
		bw.WriteString("\n")
		_, err = bw.Write(b)
		return err
	}
	for _, v := range rep.KillSwitch {
		lost := map[inventory.Ref]bool{}
		for _, o := range v.Operators {
			for _, s := range o.LostSiteRefs {
				lost[s] = true
			}
		}
		shares := map[inventory.Ref]exposure.SiteShare{}
		for _, t := range rep.TrafficExposure {
			if t.Group == v.Group {
				for _, s := range t.Sites {
					shares[s.Site] = s
				}
			}
		}
		for _, o := range v.Operators {
			for _, s := range o.LostSiteRefs {
				sh := shares[s]
				if err := emit(s, v.Vendor, "lost", sh.Share, sh.Cleartext); err != nil {
					return err
				}
			}
		}
		for _, t := range rep.TrafficExposure {
			if t.Group != v.Group {
				continue
			}
			for _, s := range t.Sites {
				if !lost[s.Site] {
					if err := emit(s.Site, v.Vendor, "exposed", s.Share, s.Cleartext); err != nil {
						return err
					}
				}
			}
		}
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}
