package bench

import (
	"context"
	"io"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/app"
)

// runner names what the benchmarks run: the whole program.
const runner = "app.Main"

// runWorkload runs the program once in-process (app.Main, as the CLI, URLs
// on standard input) and reports whether it exited 0. A nil clock is real
// time.
func runWorkload(ctx context.Context, w workload, apiURL string, clock *scaledClock) bool {
	env := app.Env{
		Args: w.args(apiURL), Stdin: strings.NewReader(w.stdin()), Stdout: io.Discard, Stderr: io.Discard,
		Getenv: func(string) string { return "" },
	}
	if clock != nil {
		env = env.WithClock(clock.Now, clock.Sleep)
	}
	return app.Main(ctx, env) == 0
}
