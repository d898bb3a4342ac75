// Package apiclient talks to a corefence server (docs/server.md) for the
// CLI: it uploads inventory snapshots. It speaks only the documented
// HTTP contract, and never puts the token in an error.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	cf "github.com/corefence/corefence"
)

// maxAnswer bounds what is read of an answer: a snapshot, or an error
// with its problem list (the server truncates long lists).
const maxAnswer = 8 << 20

// Client is a corefence server's API, as one principal.
type Client struct {
	// BaseURL is the server's address, e.g. https://corefence.example.org.
	BaseURL string
	// Token is the principal's bearer token (cft_…).
	Token string
	// HTTP makes the requests; nil means a client with a 10-minute
	// timeout (a national inventory is hundreds of MB).
	HTTP *http.Client
}

// Snapshot is the server's answer to an upload (docs/server.md, "Uploads
// and snapshots"): the fields the CLI reports.
type Snapshot struct {
	ID        string `json:"id"`
	Operator  string `json:"operator"`
	Digest    string `json:"digest"`
	Source    string `json:"source"`
	ValidFrom string `json:"valid_from"`
	Uploader  string `json:"uploader"`
}

// Problem is one input problem the server found, as it sends it.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Section string `json:"section"`
	ID      string `json:"id"`
	Field   string `json:"field"`
	Message string `json:"message"`
	// Text is the line `corefence validate` prints for the problem.
	Text string `json:"text"`
}

// Error is an answer of the server other than success: its status and
// the error body every route answers with.
type Error struct {
	Server    string // the server's address, for the message
	Status    int
	Code      string // invalid_input, unauthenticated, forbidden, not_found, …
	Message   string
	Problems  []Problem
	Truncated bool
}

// Error gives the answer on one line, its problems after it.
func (e *Error) Error() string {
	s := e.Summary()
	for _, p := range e.ProblemLines() {
		s += "; " + p
	}
	return s
}

// Summary says what the server answered, and what that means for the
// caller, without the problem list.
func (e *Error) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "corefence server %s: %d %s", e.Server, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	switch e.Status {
	case http.StatusUnauthorized:
		b.WriteString("; the server does not know the token, or it has expired or been revoked")
	case http.StatusForbidden:
		b.WriteString("; the token's principal may not upload snapshots (an operator's token uploads its own operator's, a regulator's any operator's)")
	case http.StatusNotFound:
		b.WriteString("; the server has no such operator for this token: ask its admin to create it, or map the NetBox tenant to the server's operator id")
	}
	return b.String()
}

// ProblemLines are the input problems the server listed, one line each,
// as `corefence validate` words them.
func (e *Error) ProblemLines() []string {
	var out []string
	for _, p := range e.Problems {
		text := p.Text
		if text == "" {
			text = p.Message
		}
		out = append(out, text)
	}
	if e.Truncated {
		out = append(out, "… and more (the server stopped listing)")
	}
	return out
}

// UploadSnapshot uploads an inventory document (body, of Content-Type
// ctype: application/yaml or application/json) as operator's snapshot of
// the network on validFrom. created is false when the server already held
// the same snapshot (a retried upload is harmless).
func (c *Client) UploadSnapshot(ctx context.Context, operator string, validFrom cf.Date, ctype string, body []byte) (snap Snapshot, created bool, err error) {
	base, err := c.base()
	if err != nil {
		return Snapshot{}, false, err
	}
	u := base.JoinPath("api", "v1", "operators", operator, "snapshots")
	u.RawQuery = url.Values{"valid_from": {validFrom.String()}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return Snapshot{}, false, err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Snapshot{}, false, c.netError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return Snapshot{}, false, c.netError(err)
	}
	if len(data) > maxAnswer {
		return Snapshot{}, false, fmt.Errorf("corefence server %s: %d %s: the answer is larger than %d bytes", c.redacted(), resp.StatusCode, http.StatusText(resp.StatusCode), maxAnswer)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return Snapshot{}, false, c.answerError(resp, data)
	}
	if !isJSON(resp) || json.Unmarshal(data, &snap) != nil || snap.ID == "" {
		return Snapshot{}, false, fmt.Errorf("corefence server %s: %d %s but the answer is not a snapshot (is this a corefence server?): %s",
			c.redacted(), resp.StatusCode, http.StatusText(resp.StatusCode), excerpt(data))
	}
	return snap, resp.StatusCode == http.StatusCreated, nil
}

// base checks the server's address: http(s), no credentials or query,
// and plain http only on the loopback interface, so that a token never
// crosses a network in the clear.
func (c *Client) base() (*url.URL, error) {
	u, err := url.Parse(c.BaseURL)
	switch {
	case err != nil:
		return nil, fmt.Errorf("--server %q: %v", c.BaseURL, err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return nil, fmt.Errorf("--server %q: want an http:// or https:// address, e.g. https://corefence.example.org", u.Redacted())
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("--server %q: want the server's address alone, without user, query or fragment", u.Redacted())
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return nil, fmt.Errorf("--server %q: plain http is only for a server on this machine (localhost, 127.0.0.1, ::1); use https so that the token is not sent in the clear", u.Redacted())
	}
	return u, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *Client) redacted() string {
	if u, err := url.Parse(c.BaseURL); err == nil {
		return u.Redacted()
	}
	return "(address not shown)"
}

// netError says the server could not be reached, without the request's
// URL (it is the server's address, given once).
func (c *Client) netError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("corefence server %s: %w", c.redacted(), err)
	}
	return fmt.Errorf("cannot reach the corefence server at %s: %v", c.redacted(), err)
}

// answerError reads the server's error body, or says what came instead.
func (c *Client) answerError(resp *http.Response, data []byte) error {
	e := &Error{Server: c.redacted(), Status: resp.StatusCode}
	var body struct {
		Error struct {
			Code      string    `json:"code"`
			Message   string    `json:"message"`
			Problems  []Problem `json:"problems"`
			Truncated bool      `json:"truncated"`
		} `json:"error"`
	}
	if isJSON(resp) && json.Unmarshal(data, &body) == nil && body.Error.Code != "" {
		e.Code, e.Message, e.Problems, e.Truncated = body.Error.Code, body.Error.Message, body.Error.Problems, body.Error.Truncated
		return e
	}
	e.Message = "the answer is not a corefence error (is this a corefence server?): " + excerpt(data)
	return e
}

func isJSON(resp *http.Response) bool {
	t, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return t == "application/json" || strings.HasSuffix(t, "+json")
}

// excerpt is the start of an unexpected answer, on one line.
func excerpt(data []byte) string {
	s := strings.Join(strings.Fields(string(data)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "(empty)"
	}
	return fmt.Sprintf("%q", s)
}
