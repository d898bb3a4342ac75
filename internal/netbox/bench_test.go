package netbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
)

// The benchmarks convert a synthetic NetBox holding a generated UK network
// (each element a device, or a VM pinned to its host; each link two
// interfaces and a cable), and load the same network from YAML with the
// file importer in the same run, as the peer. Reproduce:
//
//	go test -run '^$' -bench 'NetBox|YAMLPeer' -benchtime 3x ./internal/netbox
//	NETBOX_BENCH_SITES=100000 go test -run '^$' -bench 'NetBox|YAMLPeer' -benchtime 1x -timeout 30m ./internal/netbox
//
// They measure conversion, not NetBox: reading a national NetBox is bound
// by the server and the network.

var (
	benchOnce sync.Once
	benchData *Data
	benchMap  *Mapping
	benchYAML string
	benchErr  error
	benchInfo string
)

func benchNetwork(b *testing.B) (*Data, *Mapping, string) {
	b.Helper()
	benchOnce.Do(func() {
		sites := 10_000
		if s := os.Getenv("NETBOX_BENCH_SITES"); s != "" {
			fmt.Sscan(s, &sites)
		}
		doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: 1})
		if err != nil {
			benchErr = err
			return
		}
		dir, err := os.MkdirTemp("", "netbox-bench")
		if err != nil {
			benchErr = err
			return
		}
		benchYAML = filepath.Join(dir, "network.yaml")
		if benchErr = export.Write(benchYAML, "yaml", doc); benchErr != nil {
			return
		}
		benchData, benchMap = synthetic(doc)
		benchInfo = fmt.Sprintf("%d sites, %d elements, %d links", len(doc.Sites), len(doc.Elements), len(doc.Links))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchData, benchMap, benchYAML
}

// synthetic builds the NetBox that holds doc, and the mapping that places
// its vendor strings as written (the generator writes unknown vendors and
// misspellings on purpose).
func synthetic(doc *inventory.Doc) (*Data, *Mapping) {
	d := &Data{BaseURL: "http://netbox.invalid", Version: "4.2.9"}
	m := DefaultMapping()
	link := func(kind string, id int) object {
		return object{ID: id, URL: fmt.Sprintf("http://netbox.invalid/api/%s/%d/", kind, id), DisplayURL: fmt.Sprintf("http://netbox.invalid/%s/%d/", kind, id)}
	}
	for i, op := range doc.Operators {
		d.Tenants = append(d.Tenants, tenant{object: link("tenancy/tenants", i+1), Name: op.Name, Slug: op.ID})
	}
	siteID := map[string]int{}
	for i, s := range doc.Sites {
		lat, lon := s.Lat, s.Lon
		ns := site{object: link("dcim/sites", i+1), Name: s.Name, Slug: s.ID, Latitude: &lat, Longitude: &lon,
			Tenant: &ref{Slug: s.Operator}, Region: &ref{ID: 1, Name: s.Region}}
		for _, t := range s.Tags {
			ns.Tags = append(ns.Tags, ref{Slug: t})
		}
		d.Sites = append(d.Sites, ns)
		siteID[s.ID] = i + 1
	}
	mfr := map[string]*ref{}
	devID := map[string]int{}
	statusOf := map[string]string{"": "active", "active": "active", "planned": "planned", "decommissioning": "decommissioning", "retired": "inventory"}
	for i, e := range doc.Elements {
		mf := mfr[e.Vendor]
		if mf == nil {
			slug := fmt.Sprintf("mfr-%d", len(mfr)+1)
			mf = &ref{ID: len(mfr) + 1, Name: e.Vendor, Slug: slug}
			mfr[e.Vendor] = mf
			d.Manufacturers = append(d.Manufacturers, manufacturer{object: link("dcim/manufacturers", mf.ID), Name: e.Vendor, Slug: slug})
			m.Manufacturers[slug] = e.Vendor
		}
		role := &ref{ID: 1, Slug: e.Function}
		plat := &ref{ID: 1, Name: e.Software}
		if e.HostedOn != "" {
			d.VMs = append(d.VMs, virtualMachine{object: link("virtualization/virtual-machines", i+1), Name: e.ID,
				Status: choice{Value: statusOf[e.Status]}, Device: &ref{ID: devID[e.HostedOn]}, Role: role, Platform: &ref{ID: mf.ID}})
			continue
		}
		name := e.ID
		d.Devices = append(d.Devices, device{object: link("dcim/devices", i+1), Name: &name,
			DeviceType: &deviceTypeRef{ref: ref{ID: 1}, Model: e.Model, Manufacturer: mf}, Role: role, Platform: plat,
			Site: &ref{ID: siteID[e.Site], Slug: e.Site}, Status: choice{Value: statusOf[e.Status]}})
		devID[e.ID] = i + 1
	}
	// VMs take their vendor from their platform's manufacturer: one
	// platform per manufacturer.
	for _, mf := range mfr {
		d.Platforms = append(d.Platforms, platform{object: link("dcim/platforms", mf.ID), Name: mf.Name, Manufacturer: mf})
	}
	sort.Slice(d.Platforms, func(i, j int) bool { return d.Platforms[i].ID < d.Platforms[j].ID })
	for i, l := range doc.Links {
		a, bID := devID[l.A], devID[l.B]
		if a == 0 || bID == 0 {
			continue // a link to a VM: NetBox cables join devices
		}
		ia, ib := 2*i+1, 2*i+2
		speed := int64(10_000_000)
		typ := &choice{Value: "10gbase-x-sfpp"}
		d.Interfaces = append(d.Interfaces,
			iface{ID: ia, Device: &idRef{ID: a}, Type: typ, Speed: &speed},
			iface{ID: ib, Device: &idRef{ID: bID}, Type: typ, Speed: &speed})
		end := func(iid, dev int) termination {
			t := termination{ObjectType: "dcim.interface", ObjectID: iid}
			t.Object.Device = &idRef{ID: dev}
			return t
		}
		d.Cables = append(d.Cables, cable{object: link("dcim/cables", i+1), Status: choice{Value: "connected"},
			ATerminations: []termination{end(ia, a)}, BTerminations: []termination{end(ib, bID)}})
	}
	return d, m
}

func BenchmarkNetBoxConvert(b *testing.B) {
	d, m, _ := benchNetwork(b)
	b.Logf("network: %s; NetBox: %d devices, %d VMs, %d interfaces, %d cables", benchInfo, len(d.Devices), len(d.VMs), len(d.Interfaces), len(d.Cables))
	b.ResetTimer()
	for b.Loop() {
		res, err := Convert(d, Options{Mapping: m})
		if err != nil {
			b.Fatal(strings.SplitN(err.Error(), "\n", 4))
		}
		if len(res.Doc.Elements) == 0 {
			b.Fatal("nothing converted")
		}
	}
}

// BenchmarkYAMLPeer loads the same network from YAML with the file
// importer (parse and Build): the peer of Convert, which also ends in
// Build.
func BenchmarkYAMLPeer(b *testing.B) {
	_, _, path := benchNetwork(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := importer.Load(path, inventory.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNetBoxDecodeRecorded decodes the recorded NetBox 4.2.9 pages of
// devices and interfaces (real objects, all their fields), as Fetch does:
// bytes per second of NetBox JSON.
func BenchmarkNetBoxDecodeRecorded(b *testing.B) {
	const recording = "../../../shared/data/netbox-4.2-demo-api"
	files, _ := filepath.Glob(filepath.Join(recording, "dcim__*__limit=50*.json"))
	if len(files) == 0 {
		b.Skipf("skipped: the recorded NetBox answers are not here (%s)", recording)
	}
	var pages [][]byte
	total := 0
	for _, f := range files {
		if !strings.Contains(f, "devices") && !strings.Contains(f, "interfaces") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, data)
		total += len(data)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for b.Loop() {
		var devs []device
		var ifs []iface
		for i, p := range pages {
			var pg page
			if err := json.NewDecoder(bytes.NewReader(p)).Decode(&pg); err != nil {
				b.Fatal(err)
			}
			for _, r := range pg.Results {
				var err error
				if bytes.Contains(r[:min(len(r), 200)], []byte("/interfaces/")) {
					err = into(&ifs)(r)
				} else {
					err = into(&devs)(r)
				}
				if err != nil {
					b.Fatal(i, err)
				}
			}
		}
	}
}
