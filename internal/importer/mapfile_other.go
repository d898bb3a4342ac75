//go:build !linux

package importer

import cf "github.com/corefence/corefence"

// mapFile reads the file at path: files are mapped into memory on Linux
// only (see mapfile_linux.go).
func mapFile(path string, lim cf.Limits) (data []byte, release func(), err error) {
	data, err = readFile(path, lim)
	return data, nil, err
}
