// Command cloudflare-purge purges Cloudflare's cache per zone-versioning
// environment, as a GitHub Action or from the command line.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cloudflare-purge/cloudflare-purge/internal/app"
)

func main() {
	// SIGINT and SIGTERM on Linux and macOS (a cancelled job, docker stop);
	// on Windows, Ctrl+C and Ctrl+Break arrive as os.Interrupt, and SIGTERM,
	// which compiles there, never does.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, app.Env{Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
