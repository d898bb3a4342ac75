# Hand-written, idiomatic Rego for the two rules of two-rules.yaml, the peer
# that bench/peers.sh times against `corefence check` end to end.
#
# input: a corefence/v1 inventory as one JSON file (operators, sites,
#        elements, links, areas), exactly as an operator would hand it over.
# data.peerdata: lookups prepared once per network, outside the timing —
#   catalogue    function id → domain (corefence's function catalogue)
#   vendor_group vendor string as written → vendor group (corefence's
#                registry applied to the strings in the inventory)
#   designated   the designated vendor groups
#
# The semantics are corefence's (docs/policy-packs.md): only active and
# decommissioning elements count; an element that hosts an in-scope
# element, down any chain, is itself in scope; a hosted element stands at
# its chain's site; an operator's share is the sites holding a designated
# in-scope element over the sites holding any in-scope element, compared
# exactly (100·designated > 35·sites).
package peer

import rego.v1

# Lookups built once per evaluation.
elements := {e.id: e | some e in input.elements}

site_operator := {s.id: s.operator | some s in input.sites}

live := {e.id |
	some e in input.elements
	object.get(e, "status", "active") in {"active", "decommissioning"}
}

# Live element → the live element it runs on, if any. Every live element is
# a key: graph.reachable only reports vertices that are keys of the graph.
hosting := {id: hosts |
	some id in live
	hosts := [h | h := elements[id].hosted_on; live[h]]
}

designated(id) if data.peerdata.vendor_group[elements[id].vendor] in data.peerdata.designated

# The site an element stands at: its own, or its hosting chain's.
site_of(id) := elements[id].site

site_of(id) := s if {
	not elements[id].site
	some h in graph.reachable(hosting, {id})
	s := elements[h].site
}

# Live elements of a domain, with everything that hosts them.
in_domain(domain) := graph.reachable(hosting, {id |
	some id in live
	data.peerdata.catalogue[elements[id].function] == domain
})

# Rule 1: no designated element in the core.
core_violations contains id if {
	some id in in_domain("core")
	designated(id)
}

# Rule 2: designated equipment at no more than 35% of each operator's
# access sites.
access := in_domain("access")

# Each in-scope element's site, resolved once; then the distinct sites.
# (Grouping with a multi-value partial rule, `sites[op] contains s`, is
# quadratic in OPA: each insertion copies the set. One comprehension per
# operator over the distinct sites stays linear.)
access_site := {id: site_of(id) | some id in access}

scope_sites := {s | some s in access_site}

designated_sites := {s |
	some id, s in access_site
	designated(id)
}

operators := {op | some op in site_operator}

cap_violations[op] := {"sites": n, "designated": d} if {
	some op in operators
	n := count({s | some s in scope_sites; site_operator[s] == op})
	n > 0
	d := count({s | some s in designated_sites; site_operator[s] == op})
	100 * d > 35 * n
}

findings := {"core": core_violations, "access_cap": cap_violations}
