package exposure

// SetMinPath makes chains of n scored elements paths (chokePath) for a
// test, and returns what restores the default.
func SetMinPath(n int) (restore func()) {
	old := minPath
	minPath = n
	return func() { minPath = old }
}
