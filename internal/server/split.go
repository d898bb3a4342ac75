package server

import "github.com/corefence/corefence/internal/inventory"

// SplitByOperator turns a document that holds several operators' networks
// into one document per operator, as the server stores them: each keeps
// its operator, its sites, the elements at those sites or hosted on its
// elements, the links between two of its elements, and every area, vendor
// and function record. Links between two operators are left out.
func SplitByOperator(doc *inventory.Doc) map[string]*inventory.Doc {
	siteOp := map[string]string{}
	for _, s := range doc.Sites {
		siteOp[s.ID] = s.Operator
	}
	byID := map[string]*inventory.Element{}
	for i := range doc.Elements {
		byID[doc.Elements[i].ID] = &doc.Elements[i]
	}
	// operatorOf follows hosted_on to a site; a chain too long or broken
	// has no operator (Build would have refused it).
	operatorOf := func(e *inventory.Element) string {
		for range len(doc.Elements) + 1 {
			if e.Site != "" {
				return siteOp[e.Site]
			}
			host := byID[e.HostedOn]
			if host == nil {
				return ""
			}
			e = host
		}
		return ""
	}
	out := map[string]*inventory.Doc{}
	elemOp := map[string]string{}
	for _, op := range doc.Operators {
		out[op.ID] = &inventory.Doc{Operators: []inventory.Operator{op}, Areas: doc.Areas, Vendors: doc.Vendors, Functions: doc.Functions}
	}
	for _, s := range doc.Sites {
		if d := out[s.Operator]; d != nil {
			d.Sites = append(d.Sites, s)
		}
	}
	for i := range doc.Elements {
		e := &doc.Elements[i]
		op := operatorOf(e)
		elemOp[e.ID] = op
		if d := out[op]; d != nil {
			d.Elements = append(d.Elements, *e)
		}
	}
	for _, l := range doc.Links {
		if op := elemOp[l.A]; op != "" && op == elemOp[l.B] {
			out[op].Links = append(out[op].Links, l)
		}
	}
	return out
}
