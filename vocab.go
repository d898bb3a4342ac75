package corefence

import (
	"fmt"
	"math/bits"
	"strings"
)

// Tech is a set of radio or access technologies, one bit each.
type Tech uint8

// The technologies of inventory format v1. TechCopper is copper fixed
// access (xDSL, FTTC: DSLAMs and MSANs), so that full-fibre rules count
// full-fibre equipment only.
const (
	Tech2G Tech = 1 << iota
	Tech3G
	Tech4G
	Tech5G
	TechFTTP
	TechCopper

	AllTech = Tech2G | Tech3G | Tech4G | Tech5G | TechFTTP | TechCopper
)

var techNames = [...]string{"2g", "3g", "4g", "5g", "fttp", "copper"}

// ParseTech returns the technology named s ("2g" … "copper").
func ParseTech(s string) (Tech, bool) {
	for i, n := range techNames {
		if s == n {
			return 1 << i, true
		}
	}
	return 0, false
}

// TechNames lists the valid technology names, for error messages.
func TechNames() []string { return techNames[:] }

// Names returns the technologies in t in canonical order.
func (t Tech) Names() []string {
	out := make([]string, 0, bits.OnesCount8(uint8(t)))
	for i, n := range techNames {
		if t&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

func (t Tech) String() string { return strings.Join(t.Names(), ",") }

// Domain is the part of a network a function belongs to, as regulators
// divide it.
type Domain uint8

// The network domains. DomainNone is the zero value and never valid.
const (
	DomainNone Domain = iota
	DomainCore
	DomainSecurity
	DomainManagement
	DomainVirtualisation
	DomainAccess
	DomainTransport
	DomainFixedAccess
	numDomains
)

var domainNames = [...]string{"", "core", "security", "management", "virtualisation", "access", "transport", "fixed-access"}

// ParseDomain returns the domain named s.
func ParseDomain(s string) (Domain, bool) {
	for i := DomainCore; i < numDomains; i++ {
		if domainNames[i] == s {
			return i, true
		}
	}
	return DomainNone, false
}

// Domains lists every valid domain in canonical order.
func Domains() []Domain {
	out := make([]Domain, 0, numDomains-1)
	for d := DomainCore; d < numDomains; d++ {
		out = append(out, d)
	}
	return out
}

// DomainNames lists the valid domain names, for error messages.
func DomainNames() []string { return domainNames[1:] }

func (d Domain) String() string {
	if d < numDomains {
		return domainNames[d]
	}
	return fmt.Sprintf("domain(%d)", d)
}

// DomainSet is a set of domains, one bit each.
type DomainSet uint16

// Has reports whether d is in the set.
func (s DomainSet) Has(d Domain) bool { return s&(1<<d) != 0 }

// With returns the set with d added.
func (s DomainSet) With(d Domain) DomainSet { return s | 1<<d }
