package importer

import (
	"syscall"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/tree"
)

// mapFile returns the content of the regular file at path mapped into
// memory, and the function that unmaps it, which must be called once
// nothing views the data any longer. Mapping shares the kernel's cached
// pages instead of copying 100 MB of CSV into fresh memory, every page of
// which the kernel must first hand out and zero: on a national inventory
// that was a quarter of the load's CPU time. MAP_POPULATE maps every page
// in one call rather than one fault at a time.
//
// Anything that is not a non-empty regular file within the size limit
// (a pipe, a device, an empty or oversized file), or that cannot be
// mapped, is read as before, with the usual messages, and release is nil.
//
// A mapped file that another process truncates while it is read makes
// the reads past its new end fault: readParts turns the fault into a
// problem (see guardFault).
func mapFile(path string, lim cf.Limits) (data []byte, release func(), err error) {
	f, err := tree.OpenInput(path)
	if err != nil {
		data, err = readFile(path, lim)
		return data, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 || st.Size() > lim.InputBytes || int64(int(st.Size())) != st.Size() {
		data, err = readFile(path, lim)
		return data, nil, err
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		data, err = readFile(path, lim)
		return data, nil, err
	}
	return data, func() { syscall.Munmap(data) }, nil
}
