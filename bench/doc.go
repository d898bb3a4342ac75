// Package bench holds corefence's national-scale benchmarks and its
// cross-checks against OPA. It is a module of its own
// (github.com/corefence/corefence/bench) so that OPA stays out of the
// product's dependencies; run.sh is the reproducible driver.
package bench
