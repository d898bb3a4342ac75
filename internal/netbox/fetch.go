package netbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// MinVersion is the oldest NetBox the importer reads: 4.0 moved device roles
// to `role` and cluster sites to `scope`.
const MinVersion = 4

// parallel is how many lists are read at once: enough to hide latency,
// few enough not to load a production NetBox.
const parallel = 4

// endpoint is one list to read and where its results go.
type endpoint struct {
	path string
	read func(json.RawMessage) error
}

// into returns a decode function appending each result to *dst.
func into[T any](dst *[]T) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		*dst = append(*dst, v)
		return nil
	}
}

// Fetch reads every list the importer needs from NetBox. It checks the
// server's version first, then reads the lists a few at a time; the first
// error stops the rest and is returned. progress, when not nil, is called
// as each list completes.
func Fetch(ctx context.Context, c *Client, progress func(path string, n int)) (*Data, error) {
	st, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	major, _, _ := strings.Cut(st.NetBoxVersion, ".")
	if v, err := strconv.Atoi(major); err != nil || v < MinVersion {
		return nil, fmt.Errorf("%s runs NetBox %q; the importer reads NetBox %d.0 and later", c.BaseURL, st.NetBoxVersion, MinVersion)
	}
	d := &Data{BaseURL: c.BaseURL, Version: st.NetBoxVersion}
	eps := []endpoint{
		{"dcim/interfaces/", into(&d.Interfaces)}, // the longest list first
		{"tenancy/tenants/", into(&d.Tenants)},
		{"dcim/regions/", into(&d.Regions)},
		{"dcim/sites/", into(&d.Sites)},
		{"dcim/locations/", into(&d.Locations)},
		{"dcim/manufacturers/", into(&d.Manufacturers)},
		{"dcim/device-types/", into(&d.DeviceTypes)},
		{"dcim/device-roles/", into(&d.DeviceRoles)},
		{"dcim/platforms/", into(&d.Platforms)},
		{"dcim/devices/", into(&d.Devices)},
		{"dcim/cables/", into(&d.Cables)},
		{"virtualization/clusters/", into(&d.Clusters)},
		{"virtualization/virtual-machines/", into(&d.VMs)},
		{"extras/tags/", into(&d.Tags)},
		{"extras/custom-fields/", into(&d.CustomFields)},
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		sem      = make(chan struct{}, parallel)
	)
	for _, ep := range eps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			n := 0
			count := func(raw json.RawMessage) error { n++; return ep.read(raw) }
			err := c.list(ctx, ep.path, nil, count)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				return
			}
			if progress != nil {
				progress(ep.path, n)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return d, nil
}
