package server

import (
	"bytes"
	"container/list"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// rawPage encodes a Page whose items are JSON the server stored itself
// (json.Marshal's output: valid and compact). They are copied as they
// are: encoding them as json.RawMessage would validate and indent each
// one again, which costs more than the query that read them.
func rawPage(items []string, next string) []byte {
	size := len(`{"items":[],"next":""}`) + len(items) + len(next) + 1
	for _, it := range items {
		size += len(it)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	buf.WriteString(`{"items":[`)
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(it)
	}
	buf.WriteByte(']')
	if next != "" {
		buf.WriteString(`,"next":`)
		buf.WriteString(strconv.Quote(next))
	}
	buf.WriteString("}\n")
	return buf.Bytes()
}

// writeBody writes an encoded JSON body with writeJSON's headers.
func writeBody(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// pageCacheBytes bounds the findings pages kept: a page of 100 findings
// is some 60 KB, so about a thousand pages.
const pageCacheBytes = 64 << 20

// pageCache keeps encoded findings pages, least recently used first out.
// A run's findings never change, so a page, keyed by its run and the
// whole validated query (pageKey), never goes stale. It is consulted only after the run was
// found for the caller's operator, and a run id belongs to one operator,
// so a page is only ever served to the tenant whose run it is.
type pageCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // of *cachedPage, most recently used at the front
	pages map[string]*list.Element
}

type cachedPage struct {
	key  string
	body []byte
}

func newPageCache(max int) *pageCache {
	return &pageCache{max: max, order: list.New(), pages: map[string]*list.Element{}}
}

func (c *pageCache) get(q string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.pages[q]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cachedPage).body, true
}

func (c *pageCache) put(q string, body []byte) {
	if len(body) > c.max/16 { // a page of 1,000 large findings: not worth a sixteenth of the cache
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pages[q]; ok {
		return
	}
	c.pages[q] = c.order.PushFront(&cachedPage{key: q, body: body})
	c.size += pageCost(q, body)
	for c.size > c.max {
		last := c.order.Back()
		p := last.Value.(*cachedPage)
		c.order.Remove(last)
		delete(c.pages, p.key)
		c.size -= pageCost(p.key, p.body)
	}
}

// pageCost is what a page holds in memory: its body, its key, and the
// map and list entries (about 256 bytes), so that many empty pages of
// made-up filters fill the cache as surely as a few full ones.
func pageCost(q string, body []byte) int {
	return len(body) + len(q) + 256
}

// pageKey names a findings page: the run and the request's query in
// canonical form (url.Values.Encode sorts the keys). The request was
// validated first, so every parameter in it is one that shapes the page.
func pageKey(run string, q url.Values) string {
	return run + "?" + q.Encode()
}
