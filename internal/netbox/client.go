package netbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultPageSize is the page size asked for: NetBox's default
// MAX_PAGE_SIZE. A server configured lower answers with smaller pages and
// its `next` links are followed all the same.
const DefaultPageSize = 1000

// MaxBodySize bounds one response body. A page of a thousand devices is a
// few megabytes; anything far larger is not a NetBox page.
const MaxBodySize = 256 << 20

// maxPages bounds how many pages one list may take, so that a server whose
// `next` links loop cannot keep the importer going for ever.
const maxPages = 100000

// Client reads NetBox's REST API. The zero value is not usable; set BaseURL
// and Token.
type Client struct {
	// BaseURL is NetBox's address, e.g. https://netbox.example.com; the API
	// is under /api/ below it.
	BaseURL string
	// Token is an API token, sent as `Authorization: Token …` and never
	// written to an error or a log.
	Token string
	// PageSize is the `limit` asked for; zero means DefaultPageSize.
	PageSize int
	// HTTP is the client used; nil means one with a five-minute timeout per
	// request.
	HTTP *http.Client
}

// Error is an answer from NetBox that is not a page of results.
type Error struct {
	URL    string // the request, without credentials
	Status int    // HTTP status, 0 when the request did not get an answer
	Msg    string
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("GET %s: %s", e.URL, e.Msg)
	}
	return fmt.Sprintf("GET %s: %d %s: %s", e.URL, e.Status, http.StatusText(e.Status), e.Msg)
}

// base returns the parsed BaseURL, checked.
func (c *Client) base() (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(c.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("NetBox URL %q: %v", c.BaseURL, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("NetBox URL %q: want an http:// or https:// address", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("NetBox URL %q: no host", u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("NetBox URL %q: credentials go in the token file, not the URL", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("NetBox URL %q: want NetBox's address without a query, e.g. https://netbox.example.com", u.Redacted())
	}
	u.Path = strings.TrimSuffix(u.Path, "/api")
	return u, nil
}

// apiURL returns the address of an API path (e.g. "dcim/devices/") below
// the base URL.
func apiURL(base *url.URL, path string, query url.Values) *url.URL {
	u := *base
	u.Path = base.Path + "/api/" + path
	u.RawQuery = query.Encode()
	return &u
}

// get fetches one API address and decodes its JSON body into v.
func (c *Client) get(ctx context.Context, u *url.URL, v any) error {
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	shown := u.Redacted()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return &Error{URL: shown, Msg: err.Error()}
	}
	req.Header.Set("Authorization", "Token "+c.Token)
	req.Header.Set("Accept", "application/json")
	// NetBox treats a request as an API request (and sends API-Version)
	// only when it carries this content type.
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			msg = ue.Err.Error()
		}
		return &Error{URL: shown, Msg: "no answer: " + msg}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodySize+1))
	if err != nil {
		return &Error{URL: shown, Status: resp.StatusCode, Msg: "reading the answer: " + err.Error()}
	}
	if len(body) > MaxBodySize {
		return &Error{URL: shown, Status: resp.StatusCode, Msg: fmt.Sprintf("answer larger than %d MiB; not a NetBox page", MaxBodySize>>20)}
	}
	ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	isJSON := ctype == "application/json"
	if resp.StatusCode != http.StatusOK {
		return &Error{URL: shown, Status: resp.StatusCode, Msg: failure(resp.StatusCode, isJSON, body)}
	}
	if !isJSON {
		return &Error{URL: shown, Status: resp.StatusCode, Msg: fmt.Sprintf("answered with %s, not JSON: is %s NetBox's address?", orUnknown(ctype), c.BaseURL)}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{URL: shown, Status: resp.StatusCode, Msg: "answer is not the JSON NetBox sends: " + err.Error()}
	}
	return nil
}

func orUnknown(ctype string) string {
	if ctype == "" {
		return "no content type"
	}
	return ctype
}

// failure explains an error status, quoting NetBox's own `detail` when the
// body is JSON.
func failure(status int, isJSON bool, body []byte) string {
	var detail struct {
		Detail string `json:"detail"`
	}
	said := ""
	if isJSON && json.Unmarshal(body, &detail) == nil && detail.Detail != "" {
		said = strconv.Quote(detail.Detail)
	}
	var hint string
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		hint = "NetBox refused the token: check the token file, that the token has not expired and that it may read this object type"
	case http.StatusNotFound:
		if isJSON {
			hint = "NetBox has no such object"
		} else {
			hint = "no such API endpoint (NetBox answered with its HTML page): is the URL NetBox's address, and is it NetBox 4?"
		}
	default:
		hint = "NetBox could not answer"
	}
	if said != "" {
		return said + " — " + hint
	}
	return hint
}

// page is one page of a NetBox list.
type page struct {
	Count   int               `json:"count"`
	Next    *string           `json:"next"`
	Results []json.RawMessage `json:"results"`
}

// list reads every page of an API list endpoint (e.g. "dcim/devices/") and
// decodes each result with decode. It follows the server's `next` links,
// but only their path and query: they are resolved against BaseURL, so
// that a proxy that rewrites the scheme or host cannot send the token
// elsewhere.
func (c *Client) list(ctx context.Context, path string, query url.Values, decode func(json.RawMessage) error) error {
	base, err := c.base()
	if err != nil {
		return err
	}
	size := c.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", strconv.Itoa(size))
	u := apiURL(base, path, q)
	seen := 0
	for pages := 0; ; pages++ {
		if pages == maxPages {
			return &Error{URL: u.Redacted(), Msg: fmt.Sprintf("more than %d pages; stopped", maxPages)}
		}
		var p page
		if err := c.get(ctx, u, &p); err != nil {
			return err
		}
		for _, r := range p.Results {
			if err := decode(r); err != nil {
				return &Error{URL: u.Redacted(), Status: http.StatusOK, Msg: "a result is not the JSON NetBox sends: " + err.Error()}
			}
		}
		seen += len(p.Results)
		if p.Next == nil || *p.Next == "" {
			if seen != p.Count {
				return &Error{URL: u.Redacted(), Status: http.StatusOK,
					Msg: fmt.Sprintf("the list says it holds %d objects but its pages held %d; was NetBox changed during the import? Run it again", p.Count, seen)}
			}
			return nil
		}
		next, err := url.Parse(*p.Next)
		if err != nil {
			return &Error{URL: u.Redacted(), Status: http.StatusOK, Msg: fmt.Sprintf("bad next link %q", *p.Next)}
		}
		nu := *base
		nu.Path = next.Path
		nu.RawQuery = next.RawQuery
		if !strings.HasPrefix(nu.Path, base.Path+"/api/") {
			return &Error{URL: u.Redacted(), Status: http.StatusOK, Msg: fmt.Sprintf("next link %q leaves the API", next.Path)}
		}
		u = &nu
	}
}

// Status is what /api/status/ says about the server.
type Status struct {
	NetBoxVersion string `json:"netbox-version"`
}

// Status reads /api/status/.
func (c *Client) Status(ctx context.Context) (Status, error) {
	base, err := c.base()
	if err != nil {
		return Status{}, err
	}
	var s Status
	err = c.get(ctx, apiURL(base, "status/", nil), &s)
	return s, err
}
