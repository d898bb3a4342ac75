package netbox

// The NetBox objects below hold only the fields the importer reads. Field
// names and shapes are those of NetBox 4.x's REST API; nested objects are
// NetBox's brief representations.

// ref is a nested object: enough to name and find it.
type ref struct {
	ID      int    `json:"id"`
	URL     string `json:"url"`
	Display string `json:"display"`
	Name    string `json:"name"`
	Slug    string `json:"slug"`
}

// choice is a NetBox choice field, e.g. a status.
type choice struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// object is what every full object has.
type object struct {
	ID           int            `json:"id"`
	URL          string         `json:"url"`
	DisplayURL   string         `json:"display_url"`
	Display      string         `json:"display"`
	Tags         []ref          `json:"tags"`
	CustomFields map[string]any `json:"custom_fields"`
}

// link is where a person finds the object: its page in NetBox's web UI,
// else its API address.
func (o *object) link() string {
	if o.DisplayURL != "" {
		return o.DisplayURL
	}
	return o.URL
}

type tenant struct {
	object
	Name string `json:"name"`
	Slug string `json:"slug"`
}

type region struct {
	object
	Name   string `json:"name"`
	Slug   string `json:"slug"`
	Parent *ref   `json:"parent"`
}

type site struct {
	object
	Name      string   `json:"name"`
	Slug      string   `json:"slug"`
	Status    choice   `json:"status"`
	Region    *ref     `json:"region"`
	Group     *ref     `json:"group"`
	Tenant    *ref     `json:"tenant"`
	Facility  string   `json:"facility"`
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
}

type location struct {
	object
	Name string `json:"name"`
	Slug string `json:"slug"`
	Site *ref   `json:"site"`
}

type manufacturer struct {
	object
	Name string `json:"name"`
	Slug string `json:"slug"`
}

type deviceType struct {
	object
	Model        string `json:"model"`
	Slug         string `json:"slug"`
	PartNumber   string `json:"part_number"`
	Manufacturer *ref   `json:"manufacturer"`
}

type deviceRole struct {
	object
	Name   string `json:"name"`
	Slug   string `json:"slug"`
	VMRole bool   `json:"vm_role"`
}

type platform struct {
	object
	Name         string `json:"name"`
	Slug         string `json:"slug"`
	Manufacturer *ref   `json:"manufacturer"`
}

// deviceTypeRef is a device's nested device type.
type deviceTypeRef struct {
	ref
	Model        string `json:"model"`
	Manufacturer *ref   `json:"manufacturer"`
}

type device struct {
	object
	Name       *string        `json:"name"`
	DeviceType *deviceTypeRef `json:"device_type"`
	Role       *ref           `json:"role"`
	Tenant     *ref           `json:"tenant"`
	Platform   *ref           `json:"platform"`
	Serial     string         `json:"serial"`
	AssetTag   *string        `json:"asset_tag"`
	Site       *ref           `json:"site"`
	Location   *ref           `json:"location"`
	Status     choice         `json:"status"`
	Cluster    *ref           `json:"cluster"`
}

// idRef is a nested object of which only the id is needed: decoding
// skips the rest without keeping it, which matters for the millions of
// interfaces and cable ends of a national NetBox.
type idRef struct {
	ID int `json:"id"`
}

// iface is an interface: only what a cable end needs. It keeps no address
// or tags, since an interface is never reported on.
type iface struct {
	ID       int     `json:"id"`
	Device   *idRef  `json:"device"`
	Type     *choice `json:"type"`
	Speed    *int64  `json:"speed"` // Kbit/s
	MgmtOnly bool    `json:"mgmt_only"`
}

// termination is one end of a cable: the object it ends at (an interface,
// a power port, a circuit termination …) and, for device components, the
// device.
type termination struct {
	ObjectType string `json:"object_type"`
	ObjectID   int    `json:"object_id"`
	Object     struct {
		Device *idRef `json:"device"`
	} `json:"object"`
}

type cable struct {
	object
	Label         string        `json:"label"`
	Status        choice        `json:"status"`
	Tenant        *ref          `json:"tenant"`
	ATerminations []termination `json:"a_terminations"`
	BTerminations []termination `json:"b_terminations"`
}

type cluster struct {
	object
	Name      string `json:"name"`
	Type      *ref   `json:"type"`
	Status    choice `json:"status"`
	Tenant    *ref   `json:"tenant"`
	ScopeType string `json:"scope_type"`
	Scope     *ref   `json:"scope"`
}

type virtualMachine struct {
	object
	Name     string `json:"name"`
	Status   choice `json:"status"`
	Site     *ref   `json:"site"`
	Cluster  *ref   `json:"cluster"`
	Device   *ref   `json:"device"`
	Role     *ref   `json:"role"`
	Tenant   *ref   `json:"tenant"`
	Platform *ref   `json:"platform"`
}

type tag struct {
	object
	Name string `json:"name"`
	Slug string `json:"slug"`
}

type customField struct {
	object
	Name        string   `json:"name"`
	ObjectTypes []string `json:"object_types"`
	Type        choice   `json:"type"`
}

// Data is everything read from one NetBox, as NetBox returned it.
type Data struct {
	BaseURL       string
	Version       string // netbox-version from /api/status/
	Tenants       []tenant
	Regions       []region
	Sites         []site
	Locations     []location
	Manufacturers []manufacturer
	DeviceTypes   []deviceType
	DeviceRoles   []deviceRole
	Platforms     []platform
	Devices       []device
	Interfaces    []iface
	Cables        []cable
	Clusters      []cluster
	VMs           []virtualMachine
	Tags          []tag
	CustomFields  []customField
}
