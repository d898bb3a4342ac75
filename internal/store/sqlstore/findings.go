package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/corefence/corefence/internal/store"
)

// statusRank orders statuses by severity. The names are the check's
// (policy.Status…), written here because the store does not import the
// engines; a status added later sorts last.
const statusRank = `CASE status WHEN 'violation' THEN 0 WHEN 'advisory' THEN 1 WHEN 'upcoming' THEN 2 ` +
	`WHEN 'unmeasured' THEN 3 WHEN 'waived' THEN 4 ELSE 5 END`

// text makes a text expression compare byte by byte on both databases:
// SQLite's default (BINARY) does; PostgreSQL's follows the database's
// locale unless told, and the two stores must page alike.
func (s *DB) text(expr string) string {
	if s.postgres {
		return "(" + expr + `) COLLATE "C"`
	}
	return expr
}

// sortExpr is the expression findings sort by for key, and whether it
// compares as an integer. Column names are constants, never input.
func (s *DB) sortExpr(key string) (expr string, integer bool, err error) {
	switch key {
	case store.SortSite, store.SortRule, store.SortVendor:
		return s.text(key), false, nil
	case store.SortStatus:
		return statusRank, true, nil
	case store.SortDeadline: // no deadline sorts after every date
		return s.text(`CASE WHEN deadline = '' THEN '9999-12-31' ELSE deadline END`), false, nil
	}
	return "", false, fmt.Errorf("findings: no sort key %q", key)
}

// findingWhere is the condition and arguments of a filter on a run.
func findingWhere(run string, f store.FindingFilter) ([]string, []any) {
	where, args := []string{"run = ?"}, []any{run}
	for _, c := range []struct{ col, v string }{{"rule", f.Rule}, {"status", f.Status}, {"site", f.Site}, {"vendor", f.Vendor}, {"policy", f.Policy}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if len(f.Groups) > 0 {
		where = append(where, "vendor IN ("+placeholders(len(f.Groups))+")")
		for _, g := range f.Groups {
			args = append(args, g)
		}
	}
	if f.Technology != 0 {
		where = append(where, "technology & ? <> 0")
		args = append(args, f.Technology)
	}
	return where, args
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// cursorKey is a cursor's key as the sort expression's type.
func cursorKey(c *store.FindingCursor, integer bool) (any, error) {
	if !integer {
		return c.Key, nil
	}
	n, err := strconv.ParseInt(c.Key, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("findings: cursor key %q: %w", c.Key, err)
	}
	return n, nil
}

func direction(desc bool) (order, after string) {
	if desc {
		return " DESC", "<"
	}
	return "", ">"
}

// SearchFindings returns a filtered, sorted page of a run's findings and
// the cursor of the next page (nil on the last). Findings of equal keys
// are in run order, reversed with the sort; pages resume after the last
// (key, seq) seen, so equal keys never make a page repeat or skip one.
func (s *DB) SearchFindings(ctx context.Context, q store.FindingSearch) ([]store.Finding, *store.FindingCursor, error) {
	where, args := findingWhere(q.Run, q.Filter)
	dir, cmp := direction(q.Desc)
	key, order := "''", "seq"+dir
	if q.Sort == "" {
		if q.After != nil {
			where = append(where, "seq "+cmp+" ?")
			args = append(args, q.After.Seq)
		}
	} else {
		expr, integer, err := s.sortExpr(q.Sort)
		if err != nil {
			return nil, nil, err
		}
		if q.After != nil {
			k, err := cursorKey(q.After, integer)
			if err != nil {
				return nil, nil, err
			}
			// A row value, which both databases match against an index
			// on (run, key, seq) where there is one: a deep page costs
			// what the first does.
			where = append(where, "("+expr+", seq) "+cmp+" (?, ?)")
			args = append(args, k, q.After.Seq)
		}
		key, order = expr, expr+dir+", seq"+dir
	}
	n := limit(q.Limit)
	args = append(args, n)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT run, seq, id, policy, rule, status, operator, site, element, vendor, body,
		technology, deadline, `+key+` FROM findings WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`), args...)
	var last string
	fs, err := collect(rows, err, func(r *sql.Rows, f *store.Finding) error {
		return r.Scan(&f.Run, &f.Seq, &f.ID, &f.Policy, &f.Rule, &f.Status, &f.Operator, &f.Site, &f.Element, &f.Vendor, &f.JSON,
			&f.Technology, &f.Deadline, &last)
	})
	if err != nil || len(fs) < n {
		return fs, nil, err
	}
	return fs, &store.FindingCursor{Key: last, Seq: fs[len(fs)-1].Seq}, nil
}

// groupColumn is the column findings group by.
func groupColumn(by string) (string, error) {
	switch by {
	case store.GroupBySite, store.GroupByRule:
		return by, nil
	}
	return "", fmt.Errorf("findings: no group key %q", by)
}

// GroupFindings returns a page of a run's filtered findings grouped by
// site or rule, each group with its counts by status, and the cursor of
// the next page (nil on the last).
func (s *DB) GroupFindings(ctx context.Context, q store.FindingGroupQuery) ([]store.FindingGroup, *store.FindingCursor, error) {
	col, err := groupColumn(q.By)
	if err != nil {
		return nil, nil, err
	}
	key := s.text(col)
	where, args := findingWhere(q.Run, q.Filter)
	dir, cmp := direction(q.Desc)
	having, order := "", key+dir
	if q.ByCount {
		order = "count(*)" + dir + ", " + key
	}
	switch {
	case q.After == nil:
	case q.ByCount:
		having = " HAVING count(*) " + cmp + " ? OR (count(*) = ? AND " + key + " > ?)"
	default:
		where = append(where, key+" "+cmp+" ?")
		args = append(args, q.After.Key)
	}
	base := append([]any(nil), args...) // the filter alone, for the counts by status
	if having != "" {
		args = append(args, q.After.Seq, q.After.Seq, q.After.Key)
	}
	n := limit(q.Limit)
	args = append(args, n)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+col+`, count(*) FROM findings WHERE `+strings.Join(where, " AND ")+
		` GROUP BY `+col+having+` ORDER BY `+order+` LIMIT ?`), args...)
	groups, err := collect(rows, err, func(r *sql.Rows, g *store.FindingGroup) error { return r.Scan(&g.Key, &g.Findings) })
	if err != nil || len(groups) == 0 {
		return groups, nil, err
	}
	index := map[string]*store.FindingGroup{}
	keys := make([]any, len(groups))
	for i := range groups {
		groups[i].Statuses = map[string]int{}
		index[groups[i].Key] = &groups[i]
		keys[i] = groups[i].Key
	}
	rows, err = s.db.QueryContext(ctx, s.q(`SELECT `+col+`, status, count(*) FROM findings WHERE `+strings.Join(where, " AND ")+
		` AND `+col+` IN (`+placeholders(len(keys))+`) GROUP BY `+col+`, status`), append(base, keys...)...)
	if _, err := collect(rows, err, func(r *sql.Rows, _ *struct{}) error {
		var k, status string
		var c int
		if err := r.Scan(&k, &status, &c); err != nil {
			return err
		}
		if g := index[k]; g != nil {
			g.Statuses[status] = c
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	if len(groups) < n {
		return groups, nil, nil
	}
	last := groups[len(groups)-1]
	return groups, &store.FindingCursor{Key: last.Key, Seq: int64(last.Findings)}, nil
}

// FindingStatusCounts streams a run's findings counted by site (or rule)
// and status, in no particular order.
func (s *DB) FindingStatusCounts(ctx context.Context, run, by string, fn func(key, status string, n int) error) error {
	col, err := groupColumn(by)
	if err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+col+`, status, count(*) FROM findings WHERE run = ?
		GROUP BY `+col+`, status`), run)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k, status string
		var n int
		if err := rows.Scan(&k, &status, &n); err != nil {
			return err
		}
		if err := fn(k, status, n); err != nil {
			return err
		}
	}
	return rows.Err()
}
