package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// emulate serves the emulator until ctx ends (Ctrl-C).
func emulate(ctx context.Context, env Env) int {
	fs := flag.NewFlagSet("cloudflare-purge emulate", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	listen := fs.String("listen", "127.0.0.1:8787", "address to serve on")
	plan := fs.String("plan", "enterprise", "plan of the example.com account: free, pro, business or enterprise")
	limits := fs.Bool("rate-limits", false, "enforce the plan's purge rate limits (429 + code 1134)")
	latency := fs.Duration("latency", 0, "delay added to every response")
	if err := fs.Parse(env.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return result.ExitOK
		}
		return result.ExitConfig
	}
	pl, err := emulator.ParsePlan(*plan)
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: --plan %q: must be free, pro, business or enterprise\n", *plan)
		return result.ExitConfig
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: --listen %q: %v\n", *listen, err)
		return result.ExitConfig
	}
	em := emulator.New(emulator.Options{Plan: pl, RateLimits: *limits, Latency: *latency, Log: env.Stderr})
	srv := &http.Server{Handler: em, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(env.Stderr, "Emulating the Cloudflare API at http://%s/client/v4 (zone %s, id %s; token %q)\n",
		ln.Addr(), emulator.ExampleZoneName, emulator.ExampleZoneID, emulator.SandboxToken)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(env.Stderr, "error: %v\n", err)
		return result.ExitFailed
	}
	return result.ExitOK
}
