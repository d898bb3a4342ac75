// Package replay serves HTTP responses recorded from a real NetBox, so that
// tests exercise the importer against NetBox's own answers: its pagination,
// nulls, error bodies and content types. It is test support; the product
// never imports it.
package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Recording is a directory of recorded responses with its manifest.json
// (see the recording's README): one entry per request.
type Recording struct {
	BaseURL  string `json:"base_url"` // the origin written in recorded links
	Token    string `json:"token"`    // the token the recording was made with
	PageSize int    `json:"page_size"`
	Version  string `json:"netbox_version"`

	Responses []Response `json:"responses"`
	dir       string
}

// Response is one recorded request and its answer.
type Response struct {
	Method  string            `json:"method"`
	Request string            `json:"request"` // path and query
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Auth    string            `json:"auth"` // valid-token or invalid-token
	File    string            `json:"file"`
}

// Open reads the manifest of the recording in dir.
func Open(dir string) (*Recording, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	var r Recording
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "manifest.json"), err)
	}
	r.dir = dir
	return &r, nil
}

// Server serves the recording. Its answers are the recorded bodies with the
// recorded origin replaced by the server's own, so that `next` links lead
// back to it. A request with another token gets the recorded 403 answer;
// a request that was not recorded gets NetBox's recorded HTML "Page Not
// Found", as NetBox answers an unknown path. Hook, when not nil, may answer
// a request itself (to stage a failure part-way); it returns false to let
// the recording answer.
type Server struct {
	*httptest.Server
	Hook func(w http.ResponseWriter, r *http.Request) bool

	mu       sync.Mutex
	requests []string
}

// Requests returns the paths and queries asked so far, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Serve starts a server replaying rec. Close it when done.
func (rec *Recording) Serve() (*Server, error) {
	byRequest := map[string]Response{}
	var forbidden, notFound *Response
	for i, r := range rec.Responses {
		switch {
		case r.Auth == "invalid-token":
			forbidden = &rec.Responses[i]
		case r.Status == http.StatusNotFound && strings.HasPrefix(r.Headers["Content-Type"], "text/html"):
			notFound = &rec.Responses[i]
			byRequest[r.Request] = r
		default:
			byRequest[r.Request] = r
		}
	}
	if forbidden == nil || notFound == nil {
		return nil, fmt.Errorf("%s: the recording has no 403 or no HTML 404 answer", rec.dir)
	}
	s := &Server{}
	var self string
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.URL.RequestURI())
		s.mu.Unlock()
		if s.Hook != nil && s.Hook(w, r) {
			return
		}
		resp, ok := byRequest[r.URL.RequestURI()]
		switch {
		case r.Method != http.MethodGet:
			http.Error(w, "the replay answers GET only", http.StatusMethodNotAllowed)
			return
		case r.Header.Get("Authorization") != "Token "+rec.Token:
			resp = *forbidden
		case !ok:
			resp = *notFound
		}
		body, err := os.ReadFile(filepath.Join(rec.dir, resp.File))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		body = bytes.ReplaceAll(body, []byte(rec.BaseURL), []byte(self))
		for k, v := range resp.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(resp.Status)
		w.Write(body)
	}))
	self = s.URL
	return s, nil
}
