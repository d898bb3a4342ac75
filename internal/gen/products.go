package gen

// Vendors, the ways inventories spell them, and their products. Model and
// software strings are plausible for each vendor's product line in
// 2019-2020; they are made up for realism, not claimed to be any
// operator's real configuration.

type vendorID uint8

const (
	huawei vendorID = iota
	ericsson
	nokia
	samsung
	cisco
	juniper
	ciena
	commscope
	kathrein // Kathrein's antenna business, Ericsson's since 2019
	dell
	hpe
	paloAlto
	fortinet
	checkPoint
	ss8
	utimaco
	oracle
	f5
	ibm
	numVendors
)

// vendorKeys name the vendors in element ids (EMS ids).
var vendorKeys = [numVendors]string{
	huawei: "huawei", ericsson: "ericsson", nokia: "nokia", samsung: "samsung", cisco: "cisco",
	juniper: "juniper", ciena: "ciena", commscope: "commscope", kathrein: "kathrein", dell: "dell",
	hpe: "hpe", paloAlto: "paloalto", fortinet: "fortinet", checkPoint: "checkpoint", ss8: "ss8",
	utimaco: "utimaco", oracle: "oracle", f5: "f5", ibm: "ibm",
}

// spellings are vendor names as they appear in real inventories. Each
// operator writes one of them most of the time (its "house" spelling, by
// operator index) and the others now and then, so that vendor normalisation
// is exercised. Every one must resolve exactly in the built-in registry (a
// test checks).
var spellings = [numVendors][]string{
	huawei:     {"Huawei Technologies Co., Ltd.", "HUAWEI", "Huawei Technologies (UK) Co. Ltd", "Huawei"},
	ericsson:   {"Ericsson AB", "Telefonaktiebolaget LM Ericsson", "Ericsson", "ERICSSON LIMITED"},
	nokia:      {"Nokia Solutions and Networks Oy", "Nokia", "NOKIA", "Nokia Networks"},
	samsung:    {"Samsung Electronics Co., Ltd.", "Samsung", "SAMSUNG ELECTRONICS CO LTD"},
	cisco:      {"Cisco Systems, Inc.", "Cisco", "CISCO SYSTEMS INC"},
	juniper:    {"Juniper Networks", "Juniper Networks, Inc.", "JUNIPER"},
	ciena:      {"Ciena Corporation", "Ciena"},
	commscope:  {"CommScope, Inc.", "CommScope"},
	kathrein:   {"Kathrein", "KATHREIN"},
	dell:       {"Dell Inc.", "Dell EMC", "DELL"},
	hpe:        {"Hewlett Packard Enterprise", "HPE", "Hewlett Packard Enterprise Company"},
	paloAlto:   {"Palo Alto Networks, Inc.", "Palo Alto Networks"},
	fortinet:   {"Fortinet, Inc.", "Fortinet"},
	checkPoint: {"Check Point Software Technologies Ltd.", "Check Point"},
	ss8:        {"SS8 Networks, Inc.", "SS8"},
	utimaco:    {"Utimaco GmbH", "Utimaco"},
	oracle:     {"Oracle Communications", "Oracle Corporation", "ORACLE"},
	f5:         {"F5 Networks, Inc.", "F5"},
	ibm:        {"IBM", "International Business Machines Corporation"},
}

// Vendor strings that are deliberately wrong.
const (
	misspeltHuawei = "Huawie Technologies" // a data-entry error the tool must flag
	unknownVendor  = "Acme Microwave Ltd"  // a small vendor no registry knows
	unknownMax     = 2                     // elements that carry unknownVendor
)

// class is a kind of product, for looking up model and software.
type class uint8

const (
	cENB class = iota
	cNodeB
	cBTS
	cGNB
	cAAU // active antenna of an integrated gNB
	cDU
	cRU
	cCU
	cAntenna // passive antenna
	cSmallCell
	cSiteRouter
	cAggRouter
	cCoreRouter
	cMetroRouter
	cMicrowave
	cServer
	cEMS
	cRNC
	cBSC
	numClasses
)

type product struct {
	model    string
	software []string // versions in the field; one is picked per element
}

var products = [numVendors][numClasses]product{
	huawei: {
		cENB:         {"BTS3900", []string{"SRAN15.1", "SRAN16.1"}},
		cNodeB:       {"BTS3900", []string{"SRAN15.1", "SRAN16.1"}},
		cBTS:         {"BTS3900", []string{"SRAN15.1", "SRAN16.1"}},
		cGNB:         {"BBU5900", []string{"5G RAN2.1", "5G RAN3.1"}},
		cAAU:         {"AAU5613", []string{"5G RAN2.1", "5G RAN3.1"}},
		cDU:          {"BBU5900", []string{"5G RAN3.1"}},
		cRU:          {"AAU5613", []string{"5G RAN3.1"}},
		cCU:          {"CloudRAN CU", []string{"5G RAN3.1"}},
		cAntenna:     {"ATR4518R6", nil},
		cSmallCell:   {"LampSite 3.0", []string{"SRAN15.1"}},
		cSiteRouter:  {"ATN 910C", []string{"V300R005C10"}},
		cAggRouter:   {"CX600-X16A", []string{"V800R011C10"}},
		cCoreRouter:  {"NE5000E", []string{"V800R011C10"}},
		cMetroRouter: {"NE40E-X16A", []string{"V800R011C10"}},
		cMicrowave:   {"RTN 950A", []string{"V100R011C10"}},
		cServer:      {"FusionServer 2288H V5", []string{"FusionSphere 6.5"}},
		cEMS:         {"iManager U2020", []string{"V300R019C10"}},
		cRNC:         {"BSC6910", []string{"V100R021C10"}},
		cBSC:         {"BSC6910", []string{"V100R021C10"}},
	},
	ericsson: {
		cENB:         {"Baseband 6630", []string{"19.Q3", "19.Q4", "20.Q1"}},
		cNodeB:       {"Baseband 6630", []string{"19.Q3", "19.Q4"}},
		cBTS:         {"Baseband 6630", []string{"19.Q3", "19.Q4"}},
		cGNB:         {"Baseband 6630", []string{"20.Q1", "20.Q3"}},
		cAAU:         {"AIR 6449", []string{"20.Q1", "20.Q3"}},
		cDU:          {"Baseband 6648", []string{"20.Q3", "20.Q4"}},
		cRU:          {"AIR 6449", []string{"20.Q3", "20.Q4"}},
		cCU:          {"Cloud RAN vCU", []string{"20.Q4"}},
		cAntenna:     {"Ericsson Antenna System 6888", nil},
		cSmallCell:   {"Radio Dot 4479", []string{"20.Q1"}},
		cSiteRouter:  {"Router 6471", []string{"IPOS 19.2"}},
		cAggRouter:   {"Router 6675", []string{"IPOS 19.2"}},
		cCoreRouter:  {"Router 6000", []string{"IPOS 19.2"}},
		cMetroRouter: {"Router 6676", []string{"IPOS 19.2"}},
		cMicrowave:   {"MINI-LINK 6352", []string{"MINI-LINK 6600 R2", "MINI-LINK 6600 R3"}},
		cServer:      {"Ericsson Server 1000", []string{"CEE 9"}},
		cEMS:         {"Ericsson Network Manager", []string{"ENM 19.4"}},
		cRNC:         {"Evo Controller 8200/RNC", []string{"W19B"}},
		cBSC:         {"Evo Controller 8200/BSC", []string{"G19B"}},
	},
	nokia: {
		cENB:         {"AirScale", []string{"FL19A", "FL20A"}},
		cNodeB:       {"Flexi Multiradio 10", []string{"WN19"}},
		cBTS:         {"Flexi Multiradio 10", []string{"GSM19"}},
		cGNB:         {"AirScale", []string{"5G19B", "5G20A"}},
		cAAU:         {"AirScale MAA 64T64R", []string{"5G19B", "5G20A"}},
		cDU:          {"AirScale", []string{"5G20A"}},
		cRU:          {"AirScale AEQE", []string{"5G20A"}},
		cCU:          {"AirScale Cloud RAN vCU", []string{"5G20A"}},
		cAntenna:     {"Nokia Passive Antenna 65-4F", nil},
		cSmallCell:   {"Flexi Zone", []string{"FL19A"}},
		cSiteRouter:  {"7705 SAR-8", []string{"SR OS 19.10"}},
		cAggRouter:   {"7750 SR-7", []string{"SR OS 19.10"}},
		cCoreRouter:  {"7950 XRS-20", []string{"SR OS 19.10"}},
		cMetroRouter: {"7750 SR-12", []string{"SR OS 19.10"}},
		cMicrowave:   {"Wavence UBT-SA", []string{"Wavence 19"}},
		cServer:      {"AirFrame", []string{"CloudBand Infrastructure Software 19"}},
		cEMS:         {"NetAct", []string{"NetAct 19"}},
		cRNC:         {"mcRNC", []string{"RN19"}},
		cBSC:         {"mcBSC", []string{"GSM19"}},
	},
	samsung: {
		cENB:       {"Smart MBS", []string{"SVR19A", "SVR20A"}},
		cNodeB:     {"Smart MBS", []string{"SVR19A"}},
		cBTS:       {"Smart MBS", []string{"SVR19A"}},
		cGNB:       {"Compact Macro", []string{"SVR20A"}},
		cAAU:       {"Massive MIMO Radio 64T64R", []string{"SVR20A"}},
		cDU:        {"vDU", []string{"vRAN 2.0"}},
		cRU:        {"Massive MIMO Radio 32T32R", []string{"vRAN 2.0"}},
		cCU:        {"vCU", []string{"vRAN 2.0"}},
		cSmallCell: {"Link Cell", []string{"SVR19A"}},
		cEMS:       {"Unified Smart Manager", []string{"USM 20A"}},
		cRNC:       {"Smart RNC", []string{"SVR19A"}},
	},
	cisco: {
		cSiteRouter:  {"ASR 920", []string{"IOS XE 16.9", "IOS XE 16.12"}},
		cAggRouter:   {"ASR 9010", []string{"IOS XR 6.5.3"}},
		cCoreRouter:  {"NCS 5508", []string{"IOS XR 6.6.2"}},
		cMetroRouter: {"ASR 9922", []string{"IOS XR 6.6.2"}},
		cServer:      {"UCS C240 M5", []string{"Cisco VIM 3.2"}},
	},
	juniper: {
		cSiteRouter:  {"ACX2200", []string{"Junos 18.4", "Junos 19.1"}},
		cAggRouter:   {"MX960", []string{"Junos 19.1"}},
		cCoreRouter:  {"PTX10008", []string{"Junos 19.2"}},
		cMetroRouter: {"MX2020", []string{"Junos 19.2"}},
	},
	ciena: {
		cSiteRouter: {"5171", []string{"SAOS 8.6"}},
		cAggRouter:  {"8700 Packetwave", []string{"SAOS 9.2"}},
	},
	commscope: {cAntenna: {"NNVV-65B-R4", nil}},
	kathrein:  {cAntenna: {"80010866", nil}},
	dell:      {cServer: {"PowerEdge R740", []string{"Red Hat OpenStack Platform 13", "VMware ESXi 6.7"}}},
	hpe:       {cServer: {"ProLiant DL380 Gen10", []string{"Red Hat OpenStack Platform 13"}}},
}

// productOf is vendor v's product of class c, or of the nearest class it
// makes (a vendor without a metro router model uses its aggregation router).
func productOf(v vendorID, c class) product {
	for _, k := range []class{c, cAggRouter, cCoreRouter, cSiteRouter} {
		if products[v][k].model != "" {
			return products[v][k]
		}
		switch c {
		case cMetroRouter, cCoreRouter, cAggRouter:
		default:
			return products[v][c]
		}
	}
	return products[v][c]
}

// coreProduct is the model and software of a core, security or management
// function from vendor v.
func coreProduct(v vendorID, fn string) (model, software string) {
	switch v {
	case ericsson:
		switch fn {
		case "amf", "smf":
			return "Packet Core Controller", "1.4"
		case "upf":
			return "Packet Core Gateway", "1.4"
		case "ausf", "udm", "udr":
			return "Cloud Unified Data Management", "1.3"
		case "pcf":
			return "Cloud Policy Control", "1.2"
		case "nrf", "nssf", "scp", "sepp", "nef":
			return "Signaling Controller", "1.3"
		case "chf":
			return "Charging Function", "1.1"
		case "mme":
			return "SGSN-MME", "1.17"
		case "sgw", "pgw":
			return "Evolved Packet Gateway", "3.14"
		case "hss":
			return "HSS-FE", "1.23"
		case "pcrf":
			return "SAPC", "1.12"
		case "ims":
			return "Cloud IMS Core", "1.5"
		case "oss":
			return "Ericsson Operations Engine", "2.0"
		case "nfvo":
			return "Ericsson Orchestrator", "2.8"
		}
	case nokia:
		switch fn {
		case "amf", "mme":
			return "Cloud Mobility Manager", "20.0"
		case "smf", "upf", "sgw", "pgw":
			return "Cloud Mobile Gateway", "20.0"
		case "ausf", "udm", "udr", "hss":
			return "Cloud Subscriber Data Management", "19.5"
		case "pcf", "pcrf":
			return "Cloud Policy Control", "19.5"
		case "nrf", "nssf", "scp", "sepp", "nef":
			return "Cloud Signaling Director", "19.5"
		case "chf":
			return "Converged Charging", "20.0"
		case "ims":
			return "Cloud IMS", "19.0"
		case "seg":
			return "7750 SR-12 Security Gateway", "SR OS 19.10"
		case "internet-gw":
			return "7750 SR-12", "SR OS 19.10"
		case "oss":
			return "NetGuard Operations", "19"
		case "nfvo":
			return "CloudBand Network Director", "19"
		case "sdn-controller":
			return "Network Services Platform", "19.9"
		}
	case huawei:
		switch fn {
		case "mme":
			return "CloudUSN", "V100R019C10"
		case "sgw", "pgw":
			return "CloudUGW", "V100R019C10"
		case "hss":
			return "HSS9860", "V900R019C10"
		case "pcrf":
			return "UPCC", "V300R019C10"
		}
	case cisco:
		switch fn {
		case "sgw", "pgw":
			return "StarOS VPC-DI", "21.16"
		case "seg":
			return "ASR 9006", "IOS XR 6.5.3"
		case "internet-gw":
			return "ASR 9922", "IOS XR 6.6.2"
		case "ipx-gw":
			return "ASR 9006", "IOS XR 6.5.3"
		case "nfvo":
			return "Network Services Orchestrator", "5.2"
		case "sdn-controller":
			return "WAN Automation Engine", "7.1"
		}
	case juniper:
		switch fn {
		case "seg":
			return "SRX5800", "Junos 18.2"
		case "internet-gw":
			return "MX2020", "Junos 19.1"
		case "sdn-controller":
			return "NorthStar Controller", "5.0"
		}
	case paloAlto:
		return "PA-7080", "PAN-OS 9.0"
	case fortinet:
		return "FortiGate 3960E", "FortiOS 6.2"
	case checkPoint:
		return "23900", "R80.30"
	case ss8:
		return "Xcipio", "9.0"
	case utimaco:
		return "LIMS", "4.2"
	case oracle:
		switch fn {
		case "dea":
			return "Diameter Signaling Router", "8.3"
		case "ipx-gw":
			return "Enterprise Session Border Controller", "8.2"
		}
	case f5:
		return "Traffix Signaling Delivery Controller", "5.1"
	case ibm:
		return "Netcool Operations Insight", "1.6"
	}
	return "", ""
}
