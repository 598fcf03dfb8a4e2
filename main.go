// Command cloudflare-purge purges Cloudflare's cache per zone-versioning
// environment, as a GitHub Action or from the command line.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/cloudflare-purge/cloudflare-purge/internal/app"
)

// memoryLimit is the Go runtime's soft memory limit (unless GOMEMLIMIT sets
// one): a run at the input's limits collects its garbage before it passes
// 256 MiB, the most a run may take, instead of when its heap doubles.
const memoryLimit = 192 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	// SIGINT and SIGTERM on Linux and macOS (a cancelled job, docker stop);
	// on Windows, Ctrl+C and Ctrl+Break arrive as os.Interrupt, and SIGTERM,
	// which compiles there, never does.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, app.Env{Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
