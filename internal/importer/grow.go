package importer

import "unsafe"

// growRecords makes room for n more records in s, allocating once. The
// new slice is written record by record, first touching hundreds of
// megabytes of a national inventory, so it is advised for huge pages
// (see adviseHuge) before anything is written to it.
func growRecords[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	grown := make([]T, len(s), len(s)+n)
	var zero T
	adviseHuge(unsafe.Pointer(unsafe.SliceData(grown)), uintptr(cap(grown))*unsafe.Sizeof(zero))
	copy(grown, s)
	return grown
}
