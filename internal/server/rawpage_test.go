package server

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"net/url"
	"strconv"
)

// TestRawPage: a page written from stored JSON decodes as the Page
// encoding/json would write.
func TestRawPage(t *testing.T) {
	for _, tc := range []struct {
		items []string
		next  string
	}{{nil, ""}, {[]string{`{"id":"a"}`}, ""}, {[]string{`{"id":"a"}`, `{"id":"b","n":[1,2]}`}, "42"}} {
		var got, want Page[json.RawMessage]
		if err := json.Unmarshal(rawPage(tc.items, tc.next), &got); err != nil {
			t.Fatalf("%v: %v", tc.items, err)
		}
		want.Items = []json.RawMessage{}
		for _, it := range tc.items {
			want.Items = append(want.Items, json.RawMessage(it))
		}
		want.Next = tc.next
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Errorf("rawPage(%v, %q) = %s, want %s", tc.items, tc.next, g, w)
		}
	}
}

// TestPageCache: the cache holds at most its bytes, drops the least
// recently used page first, and tells queries apart by every field.
func TestPageCache(t *testing.T) {
	c := newPageCache(3000)
	page := func(n int) []byte { return []byte(strings.Repeat("x", n)) }
	q := func(run string, after int64) string {
		return pageKey(run, url.Values{"cursor": {strconv.FormatInt(after, 10)}, "limit": {"100"}})
	}
	c.put(q("r1", 0), page(40))
	c.put(q("r1", 100), page(40))
	if _, ok := c.get(q("r2", 0)); ok {
		t.Fatal("another run's page answered")
	}
	if _, ok := c.get(pageKey("r1", url.Values{"cursor": {"0"}, "limit": {"100"}, "status": {"violation"}})); ok {
		t.Fatal("an unfiltered page answered a filtered query")
	}
	if _, ok := c.get(q("r1", 0)); !ok { // now the most recently used
		t.Fatal("a cached page is missing")
	}
	for i := range 20 {
		c.put(q("r3", int64(i)), page(40))
	}
	if c.size > c.max {
		t.Fatalf("cache holds %d bytes, more than its %d", c.size, c.max)
	}
	if _, ok := c.get(q("r1", 100)); ok {
		t.Error("the least recently used page stayed")
	}
	c.put(q("r4", 0), page(c.max/10)) // too large to be worth keeping
	if _, ok := c.get(q("r4", 0)); ok {
		t.Error("a page larger than a sixteenth of the cache was kept")
	}
}
