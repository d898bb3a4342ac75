package importer

import (
	"syscall"
	"unsafe"
)

// minHuge is the least size of an allocation worth adviseHuge.
const minHuge = 4 << 20

// adviseHuge asks the kernel to back the n bytes at p, a fresh allocation
// not yet written, with huge pages where it can (madvise MADV_HUGEPAGE).
// The record slices of a national inventory take hundreds of megabytes,
// and in 4 KiB pages each first write faults: on a virtual machine those
// faults were a third of the load's CPU time; in 2 MiB pages they are a
// few hundred. It is a hint about memory this package allocated, not a
// process-wide setting: where transparent huge pages are off, or none is
// free, the kernel uses small pages as before. Errors are ignored for
// that reason.
func adviseHuge(p unsafe.Pointer, n uintptr) {
	const page = 4096
	start := (uintptr(p) + page - 1) &^ (page - 1)
	end := (uintptr(p) + n) &^ (page - 1)
	if n < minHuge || end <= start {
		return
	}
	syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), end-start), syscall.MADV_HUGEPAGE)
}
