package server

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
)

// pageBuffers recycles the buffers pages are written into: a page of 100
// findings is some 60 KB, and a busy server writes many.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeRawPage writes a Page whose items are JSON the server stored
// itself (json.Marshal's output: valid and compact). They are copied as
// they are: encoding them as json.RawMessage would validate and indent
// each one again, which costs more than the query that read them.
func writeRawPage(w http.ResponseWriter, items []string, next string) {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer pageBuffers.Put(buf)
	buf.Reset()
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
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}
