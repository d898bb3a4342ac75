package server

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/report"
	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/vendor"
)

// findingParams are the query parameters of the findings list; any other
// is refused, so that a misspelt filter never silently matches everything.
var findingParams = []string{"rule", "status", "site", "vendor", "policy", "technology", "group",
	"sort", "order", "group_by", "format", "cursor", "limit"}

// designated is the word of the group filter that stands for every vendor
// group a government has designated high-risk.
const designated = "designated"

// findingsRequest is a findings list request, read and checked.
type findingsRequest struct {
	filter  store.FindingFilter
	sort    string // a store sort key, or "" for run order
	desc    bool
	groupBy string
	byCount bool
	csv     bool
	after   *store.FindingCursor
	limit   int
}

// cursorState is what a sorted or grouped page's cursor holds: the order
// it belongs to, and the last key and sequence number (or count) seen.
type cursorState struct {
	Order string `json:"o"`
	Key   string `json:"k"`
	Seq   int64  `json:"s"`
}

// orderName names the order a cursor resumes, so that a cursor is not
// used with another sort.
func (fr *findingsRequest) orderName() string {
	name := fr.sort
	if fr.groupBy != "" {
		name = "group:" + fr.groupBy
		if fr.byCount {
			name += ":count"
		}
	}
	if fr.desc {
		name += ":desc"
	}
	return name
}

func encodeCursor(c cursorState) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseFindingsRequest reads the query of a findings list, reporting every
// problem.
func parseFindingsRequest(r *http.Request) (*findingsRequest, error) {
	q := r.URL.Query()
	probs := &cf.Problems{}
	for _, name := range sortedKeys(q) {
		if !slices.Contains(findingParams, name) {
			probs.Add(cf.Problem{Field: name, Message: "no such parameter; the findings list takes " + strings.Join(findingParams, ", ")})
		} else if len(q[name]) > 1 {
			probs.Add(cf.Problem{Field: name, Message: "given more than once"})
		}
	}
	fr := &findingsRequest{limit: defaultPageSize}
	fr.filter = store.FindingFilter{Rule: q.Get("rule"), Status: q.Get("status"), Site: q.Get("site"),
		Vendor: q.Get("vendor"), Policy: q.Get("policy")}
	if t := q.Get("technology"); t != "" {
		for _, name := range strings.Split(t, ",") {
			bit, ok := cf.ParseTech(strings.ToLower(strings.TrimSpace(name)))
			if !ok {
				probs.Add(cf.Problem{Field: "technology", ID: name, Message: "no such technology; want one or more of " + strings.Join(cf.TechNames(), ", ")})
			}
			fr.filter.Technology |= int64(bit)
		}
	}
	if g := q.Get("group"); g != "" {
		for _, name := range strings.Split(g, ",") {
			name = strings.TrimSpace(name)
			switch {
			case name == designated:
				fr.filter.Groups = append(fr.filter.Groups, designatedGroups()...)
			case slug().MatchString(name):
				fr.filter.Groups = append(fr.filter.Groups, name)
			default:
				probs.Add(cf.Problem{Field: "group", ID: name, Message: "a vendor group id (as findings name them) or \"designated\""})
			}
		}
	}
	switch o := q.Get("order"); o {
	case "", "asc":
	case "desc":
		fr.desc = true
	default:
		probs.Add(cf.Problem{Field: "order", ID: o, Message: "want asc or desc"})
	}
	sortKey := q.Get("sort")
	switch fr.groupBy = q.Get("group_by"); fr.groupBy {
	case "":
		if sortKey != "" && !slices.Contains(store.FindingSortKeys, sortKey) {
			probs.Add(cf.Problem{Field: "sort", ID: sortKey, Message: "no such sort key; want one of " + strings.Join(store.FindingSortKeys, ", ")})
		}
		fr.sort = sortKey
	case store.GroupBySite, store.GroupByRule:
		switch sortKey {
		case "", fr.groupBy:
		case store.GroupByCount:
			fr.byCount = true
		default:
			probs.Add(cf.Problem{Field: "sort", ID: sortKey, Message: fmt.Sprintf("groups sort by %s or count", fr.groupBy)})
		}
	default:
		probs.Add(cf.Problem{Field: "group_by", ID: fr.groupBy, Message: "want site or rule"})
		if sortKey != "" && !slices.Contains(store.FindingSortKeys, sortKey) && sortKey != store.GroupByCount {
			probs.Add(cf.Problem{Field: "sort", ID: sortKey, Message: "no such sort key; want one of " + strings.Join(store.FindingSortKeys, ", ") + " or, for groups, count"})
		}
	}
	switch f := q.Get("format"); f {
	case "json":
	case "csv":
		fr.csv = true
	case "":
		fr.csv = acceptsCSV(r.Header.Get("Accept"))
	default:
		probs.Add(cf.Problem{Field: "format", ID: f, Message: "want json or csv"})
	}
	if fr.csv && fr.groupBy != "" {
		probs.Add(cf.Problem{Field: "format", Message: "the CSV export is of findings, not of groups: leave out group_by"})
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			probs.Add(cf.Problem{Field: "limit", Message: "want a number from 1 to 1000"})
		}
		fr.limit = n
	}
	if c := q.Get("cursor"); c != "" {
		after, err := fr.parseCursor(c)
		if err != nil {
			probs.Add(cf.Problem{Field: "cursor", Message: err.Error()})
		}
		fr.after = after
	}
	return fr, probs.Err()
}

// parseCursor reads a cursor this server gave out for the same order. The
// run order's cursor is a plain sequence number, as before sorting came.
func (fr *findingsRequest) parseCursor(c string) (*store.FindingCursor, error) {
	bad := fmt.Errorf("not a cursor this server gave out")
	if fr.sort == "" && fr.groupBy == "" && !fr.desc {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n < 0 {
			return nil, bad
		}
		return &store.FindingCursor{Seq: n}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	var st cursorState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, bad
	}
	if st.Order != fr.orderName() {
		return nil, fmt.Errorf("the cursor continues another order (%s); ask again from the first page", st.Order)
	}
	return &store.FindingCursor{Key: st.Key, Seq: st.Seq}, nil
}

// nextCursor is the cursor of the page after next, "" when there is none.
func (fr *findingsRequest) nextCursor(next *store.FindingCursor) string {
	switch {
	case next == nil:
		return ""
	case fr.sort == "" && fr.groupBy == "" && !fr.desc:
		return strconv.FormatInt(next.Seq, 10)
	}
	return encodeCursor(cursorState{Order: fr.orderName(), Key: next.Key, Seq: next.Seq})
}

// acceptsCSV reports whether an Accept header asks for CSV rather than
// JSON.
func acceptsCSV(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/csv":
			return true
		case "application/json":
			return false
		}
	}
	return false
}

// designatedGroups are the vendor groups a government has designated
// high-risk: a fact of the built-in registry, which an inventory cannot
// extend.
var designatedGroups = sync.OnceValue(func() []string {
	var out []string
	for _, g := range vendor.Builtin().Groups() {
		if g.Designated {
			out = append(out, g.ID)
		}
	}
	return out
})

func sortedKeys(q url.Values) []string {
	out := make([]string, 0, len(q))
	for k := range q {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// findings lists a run's findings: filtered, sorted and paged, grouped by
// site or rule, or exported as CSV.
func (s *Server) findings(w http.ResponseWriter, r *http.Request, _ *caller) error {
	run, err := s.run(r.Context(), subjectOf(r), r.PathValue("run"))
	if err != nil {
		return err
	}
	fr, err := parseFindingsRequest(r)
	if err != nil {
		return err
	}
	if fr.csv {
		return s.findingsCSV(w, r, run, fr)
	}
	// Only after the caller's own run was found: a page is served only to
	// the tenant whose run it is.
	key := pageKey(run.ID, r.URL.Query())
	if body, ok := s.pages.get(key); ok {
		writeBody(w, body)
		return nil
	}
	var body []byte
	switch {
	case fr.groupBy != "":
		groups, next, err := s.store.GroupFindings(r.Context(), store.FindingGroupQuery{Run: run.ID, Filter: fr.filter,
			By: fr.groupBy, ByCount: fr.byCount, Desc: fr.desc, After: fr.after, Limit: fr.limit})
		if err != nil {
			return err
		}
		if body, err = json.Marshal(Page[store.FindingGroup]{Items: groups, Next: fr.nextCursor(next)}); err != nil {
			return err
		}
		body = append(body, '\n')
	default:
		fs, next, err := s.store.SearchFindings(r.Context(), fr.search(run.ID))
		if err != nil {
			return err
		}
		items := make([]string, len(fs))
		for i, f := range fs {
			items[i] = f.JSON
		}
		body = rawPage(items, fr.nextCursor(next))
	}
	s.pages.put(key, body)
	writeBody(w, body)
	return nil
}

func (fr *findingsRequest) search(run string) store.FindingSearch {
	return store.FindingSearch{Run: run, Filter: fr.filter, Sort: fr.sort, Desc: fr.desc, After: fr.after, Limit: fr.limit}
}

// findingsCSV streams every finding the request selects, from its cursor
// on, as `corefence check --format csv` writes them: a page of the store
// at a time, so that a national run is never held whole.
func (s *Server) findingsCSV(w http.ResponseWriter, r *http.Request, run store.Run, fr *findingsRequest) error {
	q := fr.search(run.ID)
	q.Limit = 1000
	fs, next, err := s.store.SearchFindings(r.Context(), q)
	if err != nil {
		return err // nothing written yet: a clean error response
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="findings-`+run.ID[:min(12, len(run.ID))]+`.csv"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	cw.Write(report.CSVHeader())
	for {
		for _, f := range fs {
			var rf report.Finding
			if err := json.Unmarshal([]byte(f.JSON), &rf); err != nil {
				return s.abortStream(r, fmt.Errorf("finding %d of run %s: %w", f.Seq, run.ID, err))
			}
			cw.Write(report.CSVRecord(&rf))
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return s.abortStream(r, err)
		}
		if next == nil {
			return nil
		}
		q.After = next
		if fs, next, err = s.store.SearchFindings(r.Context(), q); err != nil {
			return s.abortStream(r, err)
		}
	}
}

// abortStream ends a response whose status is already sent: it logs why
// and breaks the connection, so that the client sees a truncated transfer
// rather than a short file that looks whole.
func (s *Server) abortStream(r *http.Request, err error) error {
	s.log.Error("stream failed", "method", r.Method, "path", r.URL.Path, "error", err)
	panic(http.ErrAbortHandler)
}
