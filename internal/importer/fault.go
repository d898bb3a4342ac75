package importer

import (
	"runtime"
	"runtime/debug"
	"sync"
	"unsafe"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

// A mapped input file that another process cuts short while it is read
// makes the reads past its new end fault. Every goroutine that reads one
// does so under debug.SetPanicOnFault, so that the fault becomes a panic
// it can recover, and the goroutine that started the reading turns it
// into a problem of the file (recoverFault).

// recoverFault, deferred by a goroutine that reads a mapped file under
// debug.SetPanicOnFault, turns the fault of a read past the end of a file
// truncated meanwhile into a problem of that file, instead of a crash,
// and drops what was read of it. Any other panic goes on.
func recoverFault(path string, data []byte, doc *inventory.Doc, probs *cf.Problems) {
	r := recover()
	if r == nil {
		return
	}
	if !faultIn(r, data) {
		panic(r)
	}
	*doc = inventory.Doc{}
	probs.Add(cf.Problem{Pos: cf.Position{File: path}, Message: "the file changed while it was read (it was cut short); read it again once it is complete"})
}

// faultIn reports whether a recovered value is a memory fault within
// data; debug.SetPanicOnFault makes a fault a runtime.Error with an Addr
// method. A fault elsewhere, such as a nil pointer, is a bug, not a file
// that changed.
func faultIn(r any, data []byte) bool {
	f, ok := r.(interface {
		runtime.Error
		Addr() uintptr
	})
	if !ok || len(data) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(data)))
	return f.Addr() >= start && f.Addr()-start < uintptr(len(data))
}

// faultGroup runs functions that read data, which may be a mapped file,
// each in a goroutine of its own under debug.SetPanicOnFault; Wait raises
// the first fault within data again in the waiting goroutine, whose
// recoverFault reports it. Any other panic crashes where it happened,
// with its stack: it is a bug, not the input.
type faultGroup struct {
	data  []byte
	wg    sync.WaitGroup
	mu    sync.Mutex
	fault any
}

// Go runs f in a goroutine of its own.
func (g *faultGroup) Go(f func()) {
	g.wg.Go(func() {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if x := recover(); x != nil {
				if !faultIn(x, g.data) {
					panic(x)
				}
				g.mu.Lock()
				if g.fault == nil {
					g.fault = x
				}
				g.mu.Unlock()
			}
		}()
		f()
	})
}

// Wait waits for every function started, then panics with the first
// fault any of them met.
func (g *faultGroup) Wait() {
	g.wg.Wait()
	if g.fault != nil {
		panic(g.fault)
	}
}
