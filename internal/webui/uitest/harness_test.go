package uitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/evidence"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/htmlreport/browsertest"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/store/sqlstore"
)

// world is a running server holding a generated UK network as its four
// operators, each snapshot checked and signed, with a token per role.
type world struct {
	url       string
	tokens    map[string]string // principal id → token
	operators []string
	store     store.Store
	// areas are the generated network's sensitive areas, which every
	// operator's part holds alike.
	areas []inventory.Area
}

// principals of the world, by role.
const (
	regulator = "regulator"
	partner   = "partner"
	admin     = "admin"
)

func opPrincipal(op string) string { return "op-" + op }

var (
	worldOnce sync.Once
	theWorld  *world
	worldErr  error
)

// sharedWorld starts one server for the package's tests: generating and
// checking the network is the slow part, and tests only read it (a
// check as of another date adds a run, which no other test counts).
func sharedWorld(t *testing.T) *world {
	t.Helper()
	browsertest.Require(t)
	worldOnce.Do(func() { theWorld, worldErr = startWorld(worldDir, testSites, true) })
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	return theWorld
}

// testSites keeps the browser tests quick; the benchmark loads 100,000.
const testSites = 400

var worldDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "corefence-uitest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	worldDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startWorld fills a store in dir with a generated network of sites and
// serves it; extras adds an exposure analysis and a plan comparison.
func startWorld(dir string, sites int, extras bool) (*world, error) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(dir, "corefence.db"))
	if err != nil {
		return nil, err
	}
	_, key, err := evidence.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	limits := server.DefaultLimits
	limits.RatePerSecond = 0 // a page makes requests in bursts; the rate limit has its own test
	srv := server.New(st, server.Config{Limits: limits, TempDir: dir, Version: "test", Key: key})
	doc, err := gen.GenerateContext(ctx, gen.Config{Country: "gb", Sites: sites, Seed: 2019})
	if err != nil {
		return nil, err
	}
	w := &world{tokens: map[string]string{}, store: st, areas: doc.Areas}
	parts := server.SplitByOperator(doc)
	principals := []store.Principal{{ID: regulator, Name: "The regulator", Role: store.RoleRegulator},
		{ID: partner, Name: "A partner", Role: store.RolePartner}, {ID: admin, Name: "Administrator", Role: store.RoleAdmin}}
	for _, op := range doc.Operators {
		if _, err := st.CreateOperator(ctx, store.System, store.Operator{ID: op.ID, Name: op.Name}); err != nil {
			return nil, err
		}
		upload := filepath.Join(dir, "upload-"+op.ID) // Ingest reads every file of its directory
		if err := os.Mkdir(upload, 0o700); err != nil {
			return nil, err
		}
		path := filepath.Join(upload, op.ID) // a CSV bundle: the quickest to write and read
		if err := export.Write(path, "csv", parts[op.ID]); err != nil {
			return nil, err
		}
		snap, _, err := srv.Ingest(ctx, store.System, op.ID, upload, path, cf.NewDate(2023, 1, 1))
		if err != nil {
			return nil, err
		}
		run, _, err := srv.Check(ctx, store.System, op.ID, server.RunRequest{Snapshot: snap.ID, Packs: []string{"uk-dvd-2022"}, AsOf: "2024-01-01"})
		if err != nil {
			return nil, err
		}
		if _, _, err := srv.Attest(ctx, store.System, op.ID, run.ID); err != nil {
			return nil, err
		}
		w.operators = append(w.operators, op.ID)
		principals = append(principals, store.Principal{ID: opPrincipal(op.ID), Name: op.Name, Role: store.RoleOperator, Operator: op.ID})
	}
	for _, p := range principals {
		if _, err := st.CreatePrincipal(ctx, store.System, p); err != nil {
			return nil, err
		}
		if w.tokens[p.ID], _, err = st.IssueToken(ctx, store.System, p.ID, 0); err != nil {
			return nil, err
		}
	}
	hs := httptest.NewServer(srv) // 127.0.0.1 only
	w.url = hs.URL
	// An exposure analysis and a comparison of plans for the first
	// operator, made through the API as the UI makes them.
	if !extras {
		return w, nil
	}
	first := w.operators[0]
	snaps, err := w.call(regulator, "GET", "/operators/"+first+"/snapshots", nil)
	if err != nil {
		return nil, err
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(snaps, &list); err != nil {
		return nil, err
	}
	if _, err := w.call(regulator, "POST", "/operators/"+first+"/exposures", map[string]any{"snapshot": list.Items[0].ID, "top": 10}); err != nil {
		return nil, err
	}
	if _, err := w.call(regulator, "POST", "/operators/"+first+"/plans", map[string]any{"snapshot": "latest", "as_of": "2023-01-01",
		"options": []map[string]any{{"name": "removal", "packs": []string{"uk-dvd-2022"}}, {"name": "non-core", "packs": []string{"uk-2020-ncsc"}}}}); err != nil {
		return nil, err
	}
	return w, nil
}

// call makes one API request as principal and returns the body of a 2xx
// answer.
func (w *world) call(principal, method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.url+"/api/v1"+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+w.tokens[principal])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s as %s: %s: %s", method, path, principal, resp.Status, out)
	}
	return out, nil
}

// api calls the server as principal, for comparing the UI with it.
func (w *world) api(t *testing.T, principal, path string, v any) {
	t.Helper()
	b, err := w.call(principal, "GET", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// browser is one headless Chromium tab with what it logged and fetched.
type browser struct {
	t        *testing.T
	ctx      context.Context
	mu       sync.Mutex
	console  []string // errors and warnings from the console, and uncaught exceptions
	requests []string // every URL the page requested
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	bin := browsertest.Require(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-extensions", true), chromedp.Flag("mute-audio", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{t: t}
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithListener(b.record))
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b.ctx = ctx
	// The first run starts the browser and opens the tab, which live as long
	// as the context of that run: b.ctx, not a step's shorter one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return b
}

// record keeps console errors and warnings, uncaught exceptions and every
// URL requested. It runs on the tab's reading goroutine: it only appends.
func (b *browser) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			var args []string
			for _, a := range ev.Args {
				args = append(args, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			b.console = append(b.console, string(ev.Type)+": "+strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		b.console = append(b.console, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
	case *cdplog.EventEntryAdded: // CSP violations, failed loads, deprecations
		if e := ev.Entry; e.Level == cdplog.EntryLevelError || e.Level == cdplog.EntryLevelWarning {
			b.console = append(b.console, fmt.Sprintf("%s %s: %s %s", e.Source, e.Level, e.Text, e.URL))
		}
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, ev.Request.URL)
	}
}

// stepTimeout bounds one step in the browser: a page that never becomes
// ready fails the test quickly, with a screenshot, rather than hanging it.
const stepTimeout = 45 * time.Second

// do runs actions that return nothing; a failure ends the test.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page into a T.
func eval[T any](b *browser, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		b.t.Fatalf("%v\nin: %.200s", err, expr)
	}
	return v
}

// consoleErrors returns, and forgets, what the console reported.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.console
	b.console = nil
	return c
}

func (b *browser) requested() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// signIn opens the UI and signs in with principal's token.
func (b *browser) signIn(w *world, principal string) {
	b.t.Helper()
	b.do(
		chromedp.Navigate(w.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="token"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), w.tokens[principal]),
		chromedp.Click(chromedp.CSS(`form.signin button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready]`)),
	)
}

// open shows a page (its hash route) and waits until it has rendered.
func (b *browser) open(w *world, route string) {
	b.t.Helper()
	page := strings.SplitN(route, "?", 2)[0]
	// Setting the hash it already has fires no hashchange: fire one then.
	eval[chromedp.Void](b, `(h => { delete document.getElementById("main").dataset.ready;
		if (location.hash === h) window.dispatchEvent(new HashChangeEvent("hashchange")); else location.hash = h; })(`+jsString("#/"+route)+`)`)
	b.do(
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready="` + page + `"]`)),
	)
}

// text is the visible text of the main content.
func (b *browser) text(sel string) string {
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// artefacts is where screenshots go: $COREFENCE_UI_ARTEFACTS if set (CI
// keeps it), else the test's temporary directory.
func artefacts(t *testing.T) string {
	if d := os.Getenv("COREFENCE_UI_ARTEFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func (b *browser) screenshot(dir, name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
