// Package app wires a run together: it reads the configuration, plans the
// batches, resolves the zone and environments, sends the purge, and prints
// what report renders of the result, as a GitHub Action or as the
// cloudflare-purge CLI.
package app

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
	"github.com/cloudflare-purge/cloudflare-purge/internal/wait"
)

// Version is stamped at build time with -ldflags "-X ...app.Version=v1.2.3".
var Version = "dev"

// Exit codes.
const (
	ExitOK     = 0 // everything purged, or a clean dry run
	ExitFailed = 1 // a purge, a lookup, a permission, the network
	ExitConfig = 2 // the configuration is wrong: nothing was sent
)

// exitCode maps a run's outcome to the process's exit code.
func exitCode(o report.Outcome) int {
	switch o {
	case report.Refused:
		return ExitConfig
	case report.Failed:
		return ExitFailed
	}
	return ExitOK
}

// Env is the process's world, so that the whole program runs in tests.
type Env struct {
	Args   []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string

	hooks hooks
}

// hooks replace parts of a real run in tests and benchmarks.
type hooks struct {
	// httpClient, if set, carries every API call.
	httpClient *http.Client
	// sleep, if set, replaces real waits between retries.
	sleep func(context.Context, time.Duration) error
	// requestTimeout, if set, bounds each attempt (default 30s).
	requestTimeout time.Duration
	// now, if set, is the pacer's clock (pair it with sleep).
	now func() time.Time
	// pacer, if set, replaces the run's pace.Pacer.
	pacer cloudflare.Pacer
	// verifyOptions, if set, changes how verification requests go (a
	// test's dialer, roots and clock).
	verifyOptions func(*verify.Options)
	// waitOptions, if set, changes how the wait polls (a test's intervals).
	waitOptions func(*wait.Options)
}

// WithClock is env with the pacer's and the retries' clock replaced:
// benchmarks run a long purge on a fast clock.
func (env Env) WithClock(now func() time.Time, sleep func(context.Context, time.Duration) error) Env {
	env.hooks.now, env.hooks.sleep = now, sleep
	return env
}

// Main runs the program and returns its exit code.
func Main(ctx context.Context, env Env) int {
	if len(env.Args) > 0 && env.Args[0] == "emulate" {
		return emulate(ctx, env)
	}
	if env.Getenv("GITHUB_ACTIONS") == "true" && len(env.Args) == 0 {
		return runAction(ctx, env)
	}
	return runCLI(ctx, env)
}
