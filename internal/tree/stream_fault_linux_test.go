package tree

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
)

// TestStreamFaultStopsWorkers: a mapped file cut short by another process
// makes the goroutine that hands out the work, which reads ahead of the
// workers, fault first. The fault must reach the caller only once every
// worker has stopped: the caller then releases the mapping, which no
// worker may read any longer.
func TestStreamFaultStopsWorkers(t *testing.T) {
	for name, stream := range map[string]func(context.Context, string, []byte, cf.Limits, StreamOptions, func(Entry)) (*Node, error){
		"json": StreamJSON, "yaml": StreamYAML,
	} {
		t.Run(name, func(t *testing.T) {
			const size = 12 << 20
			path := filepath.Join(t.TempDir(), "f")
			line := []byte(strings.Repeat("x", 63) + "\n")
			if err := os.WriteFile(path, bytes.Repeat(line, size/len(line)), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			data, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, 4<<20); err != nil {
				t.Fatal(err)
			}
			before := runtime.NumGoroutine()
			func() {
				defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
				defer func() {
					if _, ok := recover().(interface{ Addr() uintptr }); !ok {
						t.Error("reading past the cut did not fault")
					}
				}()
				stream(context.Background(), "f", data, cf.DefaultLimits(), StreamOptions{Workers: 2}, func(Entry) {})
			}()
			syscall.Munmap(data)
			for range 100 { // goroutines that ended may take a moment to be counted out
				if runtime.NumGoroutine() <= before {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Errorf("%d goroutines before the fault, %d after", before, runtime.NumGoroutine())
		})
	}
}
