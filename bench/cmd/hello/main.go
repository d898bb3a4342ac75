// Command hello prints a greeting and exits: the floor of starting a Go
// process, against which bench/evidence.sh compares corefence's start-up.
package main

import "fmt"

func main() { fmt.Println("hello") }
