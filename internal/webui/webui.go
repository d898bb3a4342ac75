// Package webui serves the web UI of `corefence serve`: static files built
// from web/ (plain ES modules bundled by esbuild) and embedded in the
// binary, so the UI needs nothing from the network. The UI talks to the
// server through its public API under /api/v1 only; this package serves
// files and holds no data.
package webui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed dist
var dist embed.FS

// CSP allows the page its own scripts, styles and API and nothing else:
// no inline script, no other origin, no framing, no plugins.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

type file struct {
	body  []byte
	ctype string
	etag  string
	// immutable files have a hash of their content in their name.
	immutable bool
}

// Handler serves the UI: index.html at / and the hashed assets under
// /assets/. Anything else is 404.
type Handler struct{ files map[string]file }

// New reads the embedded files once.
func New() *Handler {
	h := &Handler{files: map[string]file{}}
	root, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		h.files["/"+p] = file{body: b, ctype: contentType(p), etag: `"` + hex.EncodeToString(sum[:16]) + `"`,
			immutable: strings.HasPrefix(p, "assets/")}
		return nil
	})
	return h
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// ServeHTTP serves GET and HEAD of the UI's files.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Path
	if name == "/" {
		name = "/index.html"
	}
	f, ok := h.files[name]
	if !ok || name == "/index.html" && r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ctype)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("ETag", f.etag)
	if f.immutable {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// index.html names the current assets: always revalidate it.
		hd.Set("Cache-Control", "no-cache")
	}
	// ServeContent answers If-None-Match and Range; a zero time leaves out
	// Last-Modified, which embedded files do not have.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
}

// Files lists the served paths, for tests.
func (h *Handler) Files() []string {
	out := make([]string, 0, len(h.files))
	for p := range h.files {
		out = append(out, p)
	}
	return out
}
