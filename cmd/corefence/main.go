// Command corefence keeps high-risk vendors where the rules allow them:
// it loads network inventories, checks them against policy packs and
// reports what must change, by when. See `corefence help`.
package main

import (
	"context"
	"os"
	"time"

	"github.com/corefence/corefence/internal/cli"
)

func main() {
	ctx, stop := cli.WithSignals(context.Background(), os.Stderr)
	code := cli.Run(ctx, &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now}, os.Args[1:])
	stop()
	os.Exit(code)
}
