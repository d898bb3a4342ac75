package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/apiclient"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/netbox"
)

const importSynopsis = `import netbox --url URL --token-file FILE (--out PATH | --server URL --server-token-file FILE [--valid-from YYYY-MM-DD])
                 [--tenant SLUG …] [--mapping FILE] [--format yaml|json|csv] [--page-size N]`

func runImport(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintf(env.Stderr, "Usage: corefence %s\n\nSources: netbox\n", importSynopsis)
			return nil
		}
		return usagef("name the source to import from: corefence %s", importSynopsis)
	}
	if args[0] != "netbox" {
		return usagef("unknown source %q: the importer reads netbox", args[0])
	}
	return runImportNetBox(ctx, env, args[1:])
}

func runImportNetBox(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import", importSynopsis)
	baseURL := fs.String("url", "", "NetBox's address, e.g. https://netbox.example.com")
	tokenFile := fs.String("token-file", "", "file holding a NetBox API token (read-only is enough); it must not be readable by every user")
	var tenants listFlag
	fs.Var(&tenants, "tenant", "import only the sites of this tenant (slug), and what is at them; repeatable")
	mappingFile := fs.String("mapping", "", "mapping file (YAML or JSON) overriding the default mapping; see docs/netbox.md")
	out := fs.String("out", "", "output file (.yaml, .yml, .json) or, for csv, a new directory")
	format := fs.String("format", "", "output format: "+strings.Join(export.Formats, ", ")+" (default: from --out's extension, csv for none)")
	pageSize := fs.Int("page-size", netbox.DefaultPageSize, "objects asked for per page (NetBox caps it at its MAX_PAGE_SIZE)")
	server := fs.String("server", "", "upload the inventory to this corefence server as a snapshot of its one operator (https, or http on this machine)")
	serverToken := fs.String("server-token-file", "", "file holding the corefence server token (an operator's or a regulator's); it must not be readable by every user")
	validFrom := fs.String("valid-from", "", "with --server: the date the snapshot describes the network on (default today)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("unexpected argument %q", pos[0])
	case *baseURL == "":
		return usagef("--url is required")
	case *tokenFile == "":
		return usagef("--token-file is required (the token is never taken on the command line, where other users can see it)")
	case *serverToken == "" && flagGiven(args, "server"):
		return usagef("--server needs --server-token-file (the token is never taken on the command line, where other users can see it)")
	case *serverToken != "" && *server == "":
		return usagef("--server-token-file needs --server (or server: in corefence.yaml)")
	case *validFrom != "" && *serverToken == "":
		return usagef("--valid-from goes with --server and --server-token-file")
	case *out == "" && *serverToken == "":
		return usagef("--out, or --server with --server-token-file, is required")
	case *pageSize < 1:
		return usagef("--page-size %d: want 1 or more", *pageSize)
	}
	fmtName := ""
	if *out != "" {
		if fmtName, err = outputFormat(*out, *format); err != nil {
			return err
		}
		if fmtName == "csv" {
			if _, err := os.Stat(*out); err == nil {
				return usagef("--out %q exists: a csv inventory is written to a new directory", *out)
			}
		}
	}
	valid := cf.DateOf(env.now())
	if *validFrom != "" {
		if valid, err = cf.ParseDate(*validFrom); err != nil {
			return usagef("--valid-from: %v", err)
		}
	}
	token, err := readToken(*tokenFile)
	if err != nil {
		return err
	}
	var upload *apiclient.Client
	// The upload is asked for by the token: a config file's server alone
	// names where uploads go, and does not turn an import into one.
	if *serverToken != "" {
		secret, err := readToken(*serverToken)
		if err != nil {
			return err
		}
		upload = &apiclient.Client{BaseURL: *server, Token: secret}
	}
	mapping := netbox.DefaultMapping()
	if *mappingFile != "" {
		if mapping, err = netbox.ReadMapping(*mappingFile); err != nil {
			return err
		}
	}

	client := &netbox.Client{BaseURL: *baseURL, Token: token, PageSize: *pageSize}
	say := progress(env)
	res, data, err := netbox.Import(ctx, client, netbox.Options{Tenants: tenants, Mapping: mapping},
		func(path string, n int) { say("read %d objects from %s", n, path) })
	if err != nil {
		return err
	}
	doc := res.Doc
	// The upload goes first: when the server refuses it, nothing is
	// written at all.
	var snap apiclient.Snapshot
	var created bool
	if upload != nil {
		if snap, created, err = uploadSnapshot(ctx, upload, doc, valid); err != nil {
			return err
		}
	}
	if *out != "" {
		if err := writeAtomic(*out, fmtName, res); err != nil {
			return err
		}
	}
	dest := *out
	if upload != nil {
		dest = "corefence server " + upload.BaseURL
		if *out != "" {
			dest = *out + " and " + dest
		}
	}
	notef(env, "imported from NetBox %s at %s: %d operators, %d sites, %d elements, %d links → %s\n",
		data.Version, *baseURL, len(doc.Operators), len(doc.Sites), len(doc.Elements), len(doc.Links), dest)
	if upload != nil {
		how := "stored as a new snapshot"
		if !created {
			how = "the server already held this snapshot"
		}
		notef(env, "snapshot %s of operator %s, valid from %s: %s\n", snap.ID, snap.Operator, snap.ValidFrom, how)
		fmt.Fprintln(env.Stdout, snap.ID)
	}
	for _, n := range res.Notes {
		notef(env, "  note: %s\n", n)
	}
	return nil
}

// flagGiven reports whether the command line (not a config file) gives
// the flag name.
func flagGiven(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// uploadSnapshot sends doc, which must hold one operator's network (a
// snapshot is one operator's), to the server as JSON.
func uploadSnapshot(ctx context.Context, c *apiclient.Client, doc *inventory.Doc, valid cf.Date) (apiclient.Snapshot, bool, error) {
	if len(doc.Operators) != 1 {
		ids := make([]string, len(doc.Operators))
		for i, op := range doc.Operators {
			ids[i] = op.ID
		}
		return apiclient.Snapshot{}, false, fmt.Errorf("--server: the import holds %d operators (%s), and a snapshot holds one operator's network: import one tenant per upload with --tenant; nothing was uploaded or written",
			len(ids), strings.Join(ids, ", "))
	}
	var body bytes.Buffer
	if err := export.WriteJSON(&body, doc); err != nil {
		return apiclient.Snapshot{}, false, err
	}
	snap, created, err := c.UploadSnapshot(ctx, doc.Operators[0].ID, valid, "application/json", body.Bytes())
	var refused *apiclient.Error
	if err != nil && !errors.As(err, &refused) {
		err = fmt.Errorf("%w; nothing was uploaded or written", err)
	}
	if err != nil {
		return apiclient.Snapshot{}, false, err
	}
	return snap, created, nil
}

// outputFormat picks the format from --format or --out's extension, and
// refuses a name the importer would not read back.
func outputFormat(out, format string) (string, error) {
	ext := strings.ToLower(filepath.Ext(out))
	if format == "" {
		switch ext {
		case ".yaml", ".yml":
			format = "yaml"
		case ".json":
			format = "json"
		default:
			format = "csv"
		}
	}
	if err := oneOf("format", format, export.Formats); err != nil {
		return "", err
	}
	switch {
	case format == "yaml" && ext != ".yaml" && ext != ".yml":
		return "", usagef("--out %q: a yaml inventory needs a .yaml or .yml name", out)
	case format == "json" && ext != ".json":
		return "", usagef("--out %q: a json inventory needs a .json name", out)
	}
	return format, nil
}

// readToken reads an API token from a file that only its owner can read.
func readToken(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("token file: %v", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o004 != 0 {
		return "", fmt.Errorf("token file %s is readable by every user of this machine; restrict it first (chmod 600 %s)", path, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %v", err)
	}
	token := strings.TrimSpace(string(data))
	switch {
	case token == "":
		return "", fmt.Errorf("token file %s is empty", path)
	case strings.ContainsAny(token, " \t\r\n"):
		return "", fmt.Errorf("token file %s holds more than one line or word; want the token alone", path)
	}
	return token, nil
}

// writeAtomic writes the inventory next to out and moves it into place, so
// that a failed write leaves nothing behind and an old file whole.
func writeAtomic(out, format string, res *netbox.Result) error {
	dir, base := filepath.Split(out)
	if dir == "" {
		dir = "."
	}
	if format == "csv" {
		tmp, err := os.MkdirTemp(dir, "."+base+".tmp-")
		if err != nil {
			return err
		}
		if err := export.WriteCSV(tmp, res.Doc); err != nil {
			os.RemoveAll(tmp)
			return err
		}
		if err := os.Chmod(tmp, 0o755); err != nil {
			os.RemoveAll(tmp)
			return err
		}
		if err := os.Rename(tmp, out); err != nil {
			os.RemoveAll(tmp)
			return err
		}
		return nil
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	f.Close()
	if err := export.Write(tmp, format, res.Doc); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
