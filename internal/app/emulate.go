package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// defaultHistory is how many requests and purges `emulate` keeps: a
// long-running emulator must not grow without bound.
const defaultHistory = 1000

const emulateUsageHead = `cloudflare-purge emulate serves the emulator of the Cloudflare API until
interrupted (Ctrl-C).

Usage:
  cloudflare-purge emulate [flags]

Flags:
`

// emulateFlags are emulate's flags in the order --help lists them, with
// the placeholder of their value.
var emulateFlags = []struct{ name, placeholder string }{
	{"listen", "ADDR"}, {"plan", "PLAN"}, {"rate-limits", ""}, {"latency", "DURATION"}, {"history", "N"},
}

// emulateConfig is what emulate's flags ask for.
type emulateConfig struct {
	listen string
	opts   emulator.Options
}

// parseEmulate reads emulate's flags (args after "emulate"). For --help it
// prints the usage on stdout and returns flag.ErrHelp.
func parseEmulate(args []string, stdout io.Writer) (emulateConfig, error) {
	fs := flag.NewFlagSet("cloudflare-purge emulate", flag.ContinueOnError)
	// emulate prints errors, once; the usage only for --help.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	listen := fs.String("listen", "127.0.0.1:8787", "address to serve on (default 127.0.0.1:8787)")
	plan := fs.String("plan", "enterprise", "plan of the example.com account: free, pro, business or enterprise (default enterprise)")
	limits := fs.Bool("rate-limits", false, "enforce the plan's purge rate limits (429 + code 1134)")
	latency := fs.Duration("latency", 0, "delay added to every response, such as 50ms")
	history := fs.Int("history", defaultHistory, fmt.Sprintf("how many requests and purges to keep, each, 0 for all (default %d)", defaultHistory))
	err := fs.Parse(args)
	if err == nil {
		err = strayArgument(fs, args, func(string) string { return "emulate takes only flags" })
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, emulateUsageHead)
		order := make([]string, len(emulateFlags))
		placeholder := map[string]string{}
		for i, f := range emulateFlags {
			order[i], placeholder[f.name] = f.name, f.placeholder
		}
		printFlags(stdout, fs, order, func(fl *flag.Flag) string { return placeholder[fl.Name] })
		return emulateConfig{}, err
	}
	if err != nil {
		return emulateConfig{}, err
	}
	if *history < 0 {
		return emulateConfig{}, fmt.Errorf("--history %d: must be 0 (keep all) or more", *history)
	}
	pl, err := emulator.ParsePlan(*plan)
	if err != nil {
		return emulateConfig{}, fmt.Errorf("--plan %q: must be free, pro, business or enterprise", *plan)
	}
	return emulateConfig{listen: *listen, opts: emulator.Options{Plan: pl, RateLimits: *limits, Latency: *latency, History: *history}}, nil
}

// emulate serves the emulator until ctx ends (Ctrl-C).
func emulate(ctx context.Context, env Env) int {
	cfg, err := parseEmulate(env.Args[1:], env.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case err != nil:
		fmt.Fprintf(env.Stderr, "error: %v\nRun cloudflare-purge emulate --help for usage.\n", err)
		return ExitConfig
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		fmt.Fprintf(env.Stderr, "error: --listen %q: %v\n", cfg.listen, err)
		return ExitConfig
	}
	cfg.opts.Log = env.Stderr
	em := emulator.New(cfg.opts)
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
		return ExitFailed
	}
	return ExitOK
}
