// Package netbox imports a network from NetBox's REST API into a corefence
// inventory document: tenants become operators, sites sites, devices and
// virtual machines elements, cables links. It is an adapter like the file
// importers: what it produces is the same inventory.Doc they produce, and
// it passes inventory.Build. The mapping from NetBox's vocabulary has
// documented defaults and a file to override them (docs/netbox.md); what
// the mapping cannot place is reported with the NetBox object's id and
// address, never guessed.
package netbox

import "context"

// Import reads NetBox through c and converts what it read.
func Import(ctx context.Context, c *Client, opts Options, progress func(path string, n int)) (*Result, *Data, error) {
	d, err := Fetch(ctx, c, progress)
	if err != nil {
		return nil, nil, err
	}
	res, err := Convert(d, opts)
	return res, d, err
}
