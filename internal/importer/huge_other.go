//go:build !linux

package importer

import "unsafe"

// adviseHuge does nothing: huge pages are asked for on Linux only (see
// huge_linux.go).
func adviseHuge(p unsafe.Pointer, n uintptr) {}
