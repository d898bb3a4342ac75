package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/report"
)

// hostileIDs are ids an inventory might carry to attack whoever reads a
// report: a terminal retitle and bell, a forged findings line, formulas,
// HTML.
var hostileIDs = []string{
	"\x1b]0;pwned\x07srv",
	"A-001\r\n  VIOLATION   forged: all clear",
	"=HYPERLINK(\"http://evil.example\",\"x\")",
	"+1+cmd|' /C calc'!A0",
	"-2+3",
	"@SUM(A1:A9)",
	"<script>alert(1)</script>",
	"bidi\u202egnp.exe",
}

// checkHostile checks a network whose element and operator ids are
// hostileIDs, each a Huawei AMF in the core: every one a violation.
func checkHostile(t *testing.T) *policy.Result {
	t.Helper()
	doc := &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op", Name: "<b>Op\x1b[31m</b>", Country: "GB"}},
		Sites:     []inventory.Site{{ID: "core\a", Operator: "op", Lat: 51.5, Lon: -0.1}},
	}
	for _, id := range hostileIDs {
		doc.Elements = append(doc.Elements, inventory.Element{ID: id, Site: "core\a", Function: "amf", Vendor: "Huawei"})
	}
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pack, err := policy.Open("uk-dvd-2022")
	if err != nil {
		t.Fatal(err)
	}
	asOf, _ := cf.ParseDate("2024-06-01")
	res, err := policy.Check(context.Background(), inv, []*policy.Pack{pack}, policy.Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func render(t *testing.T, format string, res *policy.Result) string {
	t.Helper()
	var out bytes.Buffer
	if err := report.Write(&out, format, res, report.Options{MaxPerRule: 100}); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestHostileIDsTableMarkdown: no control character of an id reaches the
// table or Markdown output raw; no id's HTML is live in Markdown; every
// id is still there, escaped.
func TestHostileIDsTableMarkdown(t *testing.T) {
	res := checkHostile(t)
	for _, format := range []string{"table", "markdown"} {
		out := render(t, format, res)
		for i, c := range []byte(out) {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				t.Errorf("%s: raw control byte %#x at %d: %q", format, c, i, out[max(0, i-20):min(len(out), i+20)])
				break
			}
		}
		if strings.Contains(out, "\u202e") {
			t.Errorf("%s: a raw bidi override", format)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "VIOLATION   forged") {
				t.Errorf("%s: a forged line: %q", format, line)
			}
		}
		for _, want := range []string{`\x1b]0;pwned\x07srv`, `A-001\r\n  VIOLATION   forged`} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks the escaped id %q", format, want)
			}
		}
	}
	md := render(t, "markdown", res)
	if strings.Contains(md, "<script>") || !strings.Contains(md, "&lt;script&gt;") {
		t.Error("markdown: HTML of an id is not escaped")
	}
}

// TestHostileIDsCSV: text cells a spreadsheet would evaluate start with a
// quote; numbers stay numbers.
func TestHostileIDsCSV(t *testing.T) {
	res := checkHostile(t)
	rows, err := csv.NewReader(strings.NewReader(render(t, "csv", res))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	numeric := map[string]bool{"value": true, "limit": true, "days_left": true}
	elements := 0
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !numeric[header[i]] {
				t.Errorf("column %s: cell %q would be evaluated", header[i], cell)
			}
		}
		if e := row[8]; strings.HasPrefix(e, "'") {
			elements++
		}
	}
	if elements < 4 { // the =, +, - and @ ids
		t.Errorf("%d element cells neutralised, want at least 4", elements)
	}
}

// TestHostileIDsJSON: the JSON contract keeps every id exactly.
func TestHostileIDsJSON(t *testing.T) {
	res := checkHostile(t)
	var doc struct {
		Findings []struct {
			Element *string `json:"element"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(render(t, "json", res)), &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range doc.Findings {
		if f.Element != nil {
			seen[*f.Element] = true
		}
	}
	for _, id := range hostileIDs {
		if !seen[id] {
			t.Errorf("JSON lacks element %q exactly", id)
		}
	}
}

// TestHostileIDsWrapped: wrapping the table never breaks a value from the
// input, so an id holding an escaped line break and a status word cannot
// start a line that looks like a finding, at any width.
func TestHostileIDsWrapped(t *testing.T) {
	res := checkHostile(t)
	for width := 40; width <= 160; width++ {
		var out bytes.Buffer
		if err := report.Write(&out, "table", res, report.Options{Width: width}); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(strings.Join(strings.Fields(line), " "), "VIOLATION forged") {
				t.Fatalf("width %d: a forged line: %q", width, line)
			}
		}
		if !strings.Contains(out.String(), `A-001\r\n  VIOLATION   forged`) {
			t.Fatalf("width %d: the escaped id is not whole:\n%s", width, out.String())
		}
	}
}
