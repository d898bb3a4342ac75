package inventory

// InferTechnologies runs Build's technology step again on a built
// inventory, for BenchmarkTechnologies.
func InferTechnologies(inv *Inventory) { (&builder{inv: inv}).technologies() }
