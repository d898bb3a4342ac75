package exposure

import (
	"context"
	"runtime"
	"sync"
)

// parallel runs task(worker, i) for i in [0, n) on one goroutine per core;
// worker numbers a goroutine, so that tasks can reuse its scratch buffers.
// It stops handing out tasks when ctx is done and returns its error.
func parallel(ctx context.Context, n int, task func(worker, i int)) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				task(w, i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return ctx.Err()
}

// workers returns how many goroutines parallel runs for n tasks.
func workers(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n)) }
