package gen

// The United Kingdom as the generator sees it: towns with their regions,
// and the vendor priors of its four mobile operators in 2019-2020.

// Regions of the UK: the nine English regions, Scotland, Wales and
// Northern Ireland.
type region uint8

const (
	scotland region = iota
	northEast
	northWest
	yorkshire
	westMidlands
	eastMidlands
	eastOfEngland
	london
	southEast
	southWest
	wales
	northernIreland
	numRegions
)

var regionNames = [numRegions]string{
	scotland:        "Scotland",
	northEast:       "North East",
	northWest:       "North West",
	yorkshire:       "Yorkshire and the Humber",
	westMidlands:    "West Midlands",
	eastMidlands:    "East Midlands",
	eastOfEngland:   "East of England",
	london:          "London",
	southEast:       "South East",
	southWest:       "South West",
	wales:           "Wales",
	northernIreland: "Northern Ireland",
}

// town is a place RAN sites are put around.
type town struct {
	name     string
	lat, lon float64 // WGS84, approximate; for coastal towns moved a little inland
	pop      int     // approximate population of the built-up area
	region   region
	maxKm    float64 // cap on the placement radius (coast, estuary, border); 0 for none
}

// gbTowns are the UK towns and cities sites are placed around. Coordinates
// and populations are APPROXIMATE (rounded, from general knowledge, not from
// a cited source), and placing sites in proportion to town population is a
// stand-in: both will be replaced by a sourced table (e.g. Ofcom's or the
// operators' published site data). Populations are of built-up areas, so a
// conurbation appears once under its main city. Coastal towns have their
// centre nudged inland and a small radius cap, so that jittered sites stay
// roughly on land.
var gbTowns = []town{
	// Scotland
	{"Glasgow", 55.8642, -4.2518, 1_000_000, scotland, 0},
	{"Edinburgh", 55.9350, -3.2050, 530_000, scotland, 4.5},
	{"Aberdeen", 57.1500, -2.1300, 200_000, scotland, 3},
	{"Dundee", 56.4750, -2.9900, 150_000, scotland, 2.5},
	{"Inverness", 57.4700, -4.2300, 63_000, scotland, 2.5},
	{"Perth", 56.3950, -3.4308, 47_000, scotland, 0},
	{"Stirling", 56.1165, -3.9369, 37_000, scotland, 0},
	// North East
	{"Newcastle upon Tyne", 54.9783, -1.6178, 775_000, northEast, 0},
	{"Sunderland", 54.9069, -1.4200, 175_000, northEast, 3},
	{"Middlesbrough", 54.5650, -1.2350, 175_000, northEast, 3.5},
	{"Durham", 54.7761, -1.5733, 50_000, northEast, 0},
	// North West
	{"Manchester", 53.4808, -2.2426, 2_200_000, northWest, 0},
	{"Liverpool", 53.4150, -2.9300, 860_000, northWest, 5},
	{"Preston", 53.7632, -2.7031, 150_000, northWest, 0},
	{"Blackpool", 53.8175, -3.0100, 140_000, northWest, 2.5},
	{"Carlisle", 54.8925, -2.9329, 75_000, northWest, 0},
	{"Chester", 53.1934, -2.8931, 80_000, northWest, 0},
	{"Warrington", 53.3900, -2.5970, 165_000, northWest, 0},
	// Yorkshire and the Humber
	{"Leeds", 53.8008, -1.5491, 790_000, yorkshire, 0},
	{"Bradford", 53.7960, -1.7594, 350_000, yorkshire, 0},
	{"Sheffield", 53.3811, -1.4701, 685_000, yorkshire, 0},
	{"Hull", 53.7750, -0.3274, 260_000, yorkshire, 3.5},
	{"York", 53.9600, -1.0873, 210_000, yorkshire, 0},
	{"Huddersfield", 53.6458, -1.7850, 160_000, yorkshire, 0},
	{"Doncaster", 53.5228, -1.1285, 110_000, yorkshire, 0},
	// West Midlands
	{"Birmingham", 52.4862, -1.8904, 1_100_000, westMidlands, 0},
	{"Wolverhampton", 52.5870, -2.1288, 260_000, westMidlands, 0},
	{"Coventry", 52.4068, -1.5197, 370_000, westMidlands, 0},
	{"Stoke-on-Trent", 53.0027, -2.1794, 370_000, westMidlands, 0},
	{"Worcester", 52.1936, -2.2216, 100_000, westMidlands, 0},
	{"Shrewsbury", 52.7073, -2.7553, 72_000, westMidlands, 0},
	{"Telford", 52.6784, -2.4453, 140_000, westMidlands, 0},
	// East Midlands
	{"Nottingham", 52.9548, -1.1581, 730_000, eastMidlands, 0},
	{"Leicester", 52.6369, -1.1398, 510_000, eastMidlands, 0},
	{"Derby", 52.9225, -1.4746, 270_000, eastMidlands, 0},
	{"Northampton", 52.2405, -0.9027, 225_000, eastMidlands, 0},
	{"Lincoln", 53.2307, -0.5406, 115_000, eastMidlands, 0},
	// East of England
	{"Norwich", 52.6309, 1.2974, 210_000, eastOfEngland, 0},
	{"Cambridge", 52.2053, 0.1218, 145_000, eastOfEngland, 0},
	{"Peterborough", 52.5695, -0.2405, 200_000, eastOfEngland, 0},
	{"Ipswich", 52.0600, 1.1400, 180_000, eastOfEngland, 3.5},
	{"Luton", 51.8787, -0.4200, 260_000, eastOfEngland, 0},
	{"Southend-on-Sea", 51.5600, 0.7077, 250_000, eastOfEngland, 3},
	{"Chelmsford", 51.7356, 0.4685, 110_000, eastOfEngland, 0},
	{"Colchester", 51.8959, 0.8919, 120_000, eastOfEngland, 0},
	// London
	{"London", 51.5074, -0.1278, 8_900_000, london, 0},
	// South East
	{"Brighton", 50.8450, -0.1372, 300_000, southEast, 3},
	{"Southampton", 50.9250, -1.3900, 255_000, southEast, 4},
	{"Portsmouth", 50.8450, -1.0600, 240_000, southEast, 3},
	{"Reading", 51.4543, -0.9781, 320_000, southEast, 0},
	{"Milton Keynes", 52.0406, -0.7594, 230_000, southEast, 0},
	{"Oxford", 51.7520, -1.2577, 155_000, southEast, 0},
	{"Crawley", 51.1092, -0.1872, 110_000, southEast, 0},
	{"Maidstone", 51.2720, 0.5292, 110_000, southEast, 0},
	{"Canterbury", 51.2802, 1.0789, 55_000, southEast, 0},
	// South West
	{"Bristol", 51.4545, -2.5879, 620_000, southWest, 0},
	{"Plymouth", 50.3950, -4.1200, 265_000, southWest, 3},
	{"Bournemouth", 50.7450, -1.8800, 400_000, southWest, 3},
	{"Exeter", 50.7184, -3.5339, 130_000, southWest, 0},
	{"Swindon", 51.5558, -1.7797, 185_000, southWest, 0},
	{"Gloucester", 51.8642, -2.2382, 130_000, southWest, 0},
	{"Cheltenham", 51.8994, -2.0783, 115_000, southWest, 0},
	{"Bath", 51.3811, -2.3590, 90_000, southWest, 0},
	{"Truro", 50.2632, -5.0510, 20_000, southWest, 2},
	// Wales
	{"Cardiff", 51.5000, -3.1900, 360_000, wales, 4},
	{"Swansea", 51.6450, -3.9400, 240_000, wales, 3},
	{"Newport", 51.5842, -2.9977, 150_000, wales, 4},
	{"Wrexham", 53.0462, -2.9930, 65_000, wales, 0},
	{"Bangor", 53.2274, -4.1293, 18_000, wales, 1.5},
	{"Aberystwyth", 52.4153, -4.0700, 19_000, wales, 1.2},
	// Northern Ireland
	{"Belfast", 54.5850, -5.9500, 580_000, northernIreland, 5},
	{"Derry", 55.0000, -7.2900, 95_000, northernIreland, 2.5},
	{"Lisburn", 54.5162, -6.0580, 45_000, northernIreland, 0},
	{"Newry", 54.1751, -6.3402, 27_000, northernIreland, 2},
}

// mix is a choice between two vendors: a with probability pa, else b.
type mix struct {
	a, b vendorID
	pa   float64
}

func only(v vendorID) mix { return mix{a: v, b: v, pa: 1} }

// operatorPriors is what the generator assumes about one operator.
type operatorPriors struct {
	id, name string
	share    float64 // of all RAN sites
	runs2G   bool
	dcTowns  []string // data-centre towns; the first holds management and interconnect

	ran [numRegions]mix // RAN vendor per region (2G/3G/4G/5G from the same vendor)

	siteRouter      mix
	huaweiTransport [numRegions]bool // regions whose site routers and microwave are Huawei
	microwave       vendorID
	aggRouter       vendorID
	coreRouter      vendorID
	hosts           vendorID // NFVI servers in the data centres and exchanges

	core5G      vendorID
	epcControl  []vendorID // mme, hss, pcrf, per data centre
	epcGateway  []vendorID // sgw, pgw, per data centre
	ims         vendorID
	firewall    vendorID
	seg         vendorID
	li          vendorID
	dea         vendorID
	internetGW  vendorID
	ipxGW       vendorID
	oss         vendorID
	nfvo        vendorID
	sdn         vendorID
	passiveAnts [numVendors]mix // passive antenna maker, by RAN vendor
}

// gbPriors holds every vendor-mix figure the generator uses for the UK.
// EVERY figure below is an illustrative assumption of the 2019-2020 UK
// picture, chosen to tell the story of the UK's Huawei decisions (EE and
// Three with much Huawei RAN, Vodafone about a third, O2 none; Huawei in
// EE's 4G core, which BT said in December 2018 it would remove); none is a
// sourced fact about any operator, and all are to be replaced by sourced
// priors. With sites placed by town population (London ≈ 29% of it), the
// RAN table gives Huawei shares of sites of about 50% (EE), 33% (Vodafone),
// 0% (O2) and 80% (Three).
var gbPriors = []operatorPriors{
	{
		id: "ee", name: "EE", runs2G: true,
		share:   0.32,                                           // illustrative assumption (2019-20): largest operator by sites; to be replaced by a sourced prior
		dcTowns: []string{"London", "Birmingham", "Manchester"}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		ran: [numRegions]mix{
			scotland:        only(huawei), // illustrative assumption (2019-20); to be replaced by a sourced prior
			northEast:       only(huawei), // illustrative assumption (2019-20); to be replaced by a sourced prior
			northWest:       only(nokia),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			yorkshire:       only(nokia),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			westMidlands:    only(nokia),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			eastMidlands:    only(nokia),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			eastOfEngland:   only(huawei), // illustrative assumption (2019-20); to be replaced by a sourced prior
			london:          only(huawei), // illustrative assumption (2019-20); to be replaced by a sourced prior
			southEast:       only(nokia),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			southWest:       only(nokia),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			wales:           only(huawei), // illustrative assumption (2019-20); to be replaced by a sourced prior
			northernIreland: only(huawei), // illustrative assumption (2019-20); to be replaced by a sourced prior
		},
		siteRouter: mix{cisco, juniper, 0.8}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		huaweiTransport: [numRegions]bool{ // illustrative assumption (2019-20): BT used Huawei in access/transport; to be replaced by a sourced prior
			scotland: true, northEast: true, wales: true, northernIreland: true,
		},
		microwave:  ericsson,                               // illustrative assumption (2019-20); to be replaced by a sourced prior
		aggRouter:  cisco,                                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		coreRouter: cisco,                                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		hosts:      dell,                                   // illustrative assumption (2019-20); to be replaced by a sourced prior
		core5G:     ericsson,                               // illustrative assumption (2019-20); to be replaced by a sourced prior
		epcControl: []vendorID{ericsson, ericsson, huawei}, // illustrative assumption (2019-20): Huawei EPC in one DC; to be replaced by a sourced prior
		epcGateway: []vendorID{ericsson, ericsson, huawei}, // illustrative assumption (2019-20): Huawei EPC in one DC; to be replaced by a sourced prior
		ims:        ericsson,                               // illustrative assumption (2019-20); to be replaced by a sourced prior
		firewall:   paloAlto,                               // illustrative assumption (2019-20); to be replaced by a sourced prior
		seg:        juniper,                                // illustrative assumption (2019-20); to be replaced by a sourced prior
		li:         ss8,                                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		dea:        oracle,                                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		internetGW: cisco,                                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		ipxGW:      oracle,                                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		oss:        ibm,                                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		nfvo:       ericsson,                               // illustrative assumption (2019-20); to be replaced by a sourced prior
		sdn:        cisco,                                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		passiveAnts: [numVendors]mix{
			huawei: {huawei, commscope, 0.6},   // illustrative assumption (2019-20); to be replaced by a sourced prior
			nokia:  {commscope, kathrein, 0.7}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		},
	},
	{
		id: "vodafone", name: "Vodafone UK", runs2G: true,
		share:   0.25,                                            // illustrative assumption (2019-20); to be replaced by a sourced prior
		dcTowns: []string{"Reading", "Manchester", "Birmingham"}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		ran: [numRegions]mix{
			scotland:        only(huawei),   // illustrative assumption (2019-20); to be replaced by a sourced prior
			northEast:       only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			northWest:       only(huawei),   // illustrative assumption (2019-20); to be replaced by a sourced prior
			yorkshire:       only(huawei),   // illustrative assumption (2019-20); to be replaced by a sourced prior
			westMidlands:    only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			eastMidlands:    only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			eastOfEngland:   only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			london:          only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			southEast:       only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			southWest:       only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			wales:           only(huawei),   // illustrative assumption (2019-20); to be replaced by a sourced prior
			northernIreland: only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
		},
		siteRouter: mix{cisco, juniper, 0.6},                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		microwave:  ericsson,                                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		aggRouter:  cisco,                                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		coreRouter: juniper,                                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		hosts:      hpe,                                      // illustrative assumption (2019-20); to be replaced by a sourced prior
		core5G:     ericsson,                                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		epcControl: []vendorID{ericsson, ericsson, ericsson}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		epcGateway: []vendorID{cisco, cisco, cisco},          // illustrative assumption (2019-20); to be replaced by a sourced prior
		ims:        ericsson,                                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		firewall:   fortinet,                                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		seg:        cisco,                                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		li:         utimaco,                                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		dea:        f5,                                       // illustrative assumption (2019-20); to be replaced by a sourced prior
		internetGW: juniper,                                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		ipxGW:      cisco,                                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		oss:        ericsson,                                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		nfvo:       cisco,                                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		sdn:        cisco,                                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		passiveAnts: [numVendors]mix{
			huawei:   {huawei, commscope, 0.5},   // illustrative assumption (2019-20); to be replaced by a sourced prior
			ericsson: {kathrein, commscope, 0.5}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		},
	},
	{
		id: "o2", name: "O2 UK", runs2G: true,
		share:   0.27,                         // illustrative assumption (2019-20); to be replaced by a sourced prior
		dcTowns: []string{"Reading", "Leeds"}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		ran: [numRegions]mix{
			scotland:        only(nokia),    // illustrative assumption (2019-20); to be replaced by a sourced prior
			northEast:       only(nokia),    // illustrative assumption (2019-20); to be replaced by a sourced prior
			northWest:       only(nokia),    // illustrative assumption (2019-20); to be replaced by a sourced prior
			yorkshire:       only(nokia),    // illustrative assumption (2019-20); to be replaced by a sourced prior
			westMidlands:    only(nokia),    // illustrative assumption (2019-20); to be replaced by a sourced prior
			eastMidlands:    only(nokia),    // illustrative assumption (2019-20); to be replaced by a sourced prior
			eastOfEngland:   only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			london:          only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			southEast:       only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			southWest:       only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			wales:           only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
			northernIreland: only(ericsson), // illustrative assumption (2019-20); to be replaced by a sourced prior
		},
		siteRouter: mix{nokia, cisco, 0.6},   // illustrative assumption (2019-20); to be replaced by a sourced prior
		microwave:  ericsson,                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		aggRouter:  nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		coreRouter: nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		hosts:      dell,                     // illustrative assumption (2019-20); to be replaced by a sourced prior
		core5G:     ericsson,                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		epcControl: []vendorID{nokia, nokia}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		epcGateway: []vendorID{nokia, nokia}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		ims:        nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		firewall:   checkPoint,               // illustrative assumption (2019-20); to be replaced by a sourced prior
		seg:        nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		li:         ss8,                      // illustrative assumption (2019-20); to be replaced by a sourced prior
		dea:        oracle,                   // illustrative assumption (2019-20); to be replaced by a sourced prior
		internetGW: nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		ipxGW:      oracle,                   // illustrative assumption (2019-20); to be replaced by a sourced prior
		oss:        nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		nfvo:       nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		sdn:        nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		passiveAnts: [numVendors]mix{
			ericsson: {kathrein, commscope, 0.6}, // illustrative assumption (2019-20); to be replaced by a sourced prior
			nokia:    {commscope, kathrein, 0.7}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		},
	},
	{
		id: "three", name: "Three UK", runs2G: false, // Three never ran 2G
		share:   0.16,                             // illustrative assumption (2019-20); to be replaced by a sourced prior
		dcTowns: []string{"London", "Manchester"}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		ran: [numRegions]mix{
			scotland:        only(huawei),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			northEast:       only(huawei),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			northWest:       only(huawei),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			yorkshire:       only(huawei),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			westMidlands:    only(huawei),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			eastMidlands:    only(samsung), // illustrative assumption (2019-20); to be replaced by a sourced prior
			eastOfEngland:   only(huawei),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			london:          only(huawei),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			southEast:       only(huawei),  // illustrative assumption (2019-20); to be replaced by a sourced prior
			southWest:       only(samsung), // illustrative assumption (2019-20); to be replaced by a sourced prior
			wales:           only(samsung), // illustrative assumption (2019-20); to be replaced by a sourced prior
			northernIreland: only(samsung), // illustrative assumption (2019-20); to be replaced by a sourced prior
		},
		siteRouter: mix{ciena, cisco, 0.5},   // illustrative assumption (2019-20); to be replaced by a sourced prior
		microwave:  ericsson,                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		aggRouter:  juniper,                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		coreRouter: juniper,                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		hosts:      hpe,                      // illustrative assumption (2019-20); to be replaced by a sourced prior
		core5G:     nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		epcControl: []vendorID{nokia, nokia}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		epcGateway: []vendorID{nokia, nokia}, // illustrative assumption (2019-20); to be replaced by a sourced prior
		ims:        nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		firewall:   paloAlto,                 // illustrative assumption (2019-20); to be replaced by a sourced prior
		seg:        nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		li:         utimaco,                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		dea:        f5,                       // illustrative assumption (2019-20); to be replaced by a sourced prior
		internetGW: juniper,                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		ipxGW:      oracle,                   // illustrative assumption (2019-20); to be replaced by a sourced prior
		oss:        ibm,                      // illustrative assumption (2019-20); to be replaced by a sourced prior
		nfvo:       nokia,                    // illustrative assumption (2019-20); to be replaced by a sourced prior
		sdn:        juniper,                  // illustrative assumption (2019-20); to be replaced by a sourced prior
		passiveAnts: [numVendors]mix{
			huawei:  {huawei, commscope, 0.6}, // illustrative assumption (2019-20); to be replaced by a sourced prior
			samsung: only(commscope),          // illustrative assumption (2019-20); to be replaced by a sourced prior
		},
	},
}
