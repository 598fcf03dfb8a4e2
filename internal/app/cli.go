package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"runtime/debug"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

const usageHead = `cloudflare-purge purges Cloudflare's cache per zone-versioning environment.

Usage:
  cloudflare-purge [flags]                  purge (flags are named as the action's inputs)
  cloudflare-purge --sandbox [flags]        purge against the built-in emulator: no account needed
  cloudflare-purge emulate [--listen ADDR]  serve the emulator of the Cloudflare API

Examples:
  cloudflare-purge --sandbox --environment Staging --files https://example.com/
  cloudflare-purge --zone example.com --environment Staging --tags assets,html
  git diff --name-only HEAD~1 -- public | sed 's|^public/||' | \
    cloudflare-purge --zone example.com --base-url https://example.com --files-from -

Each flag also reads its action input's environment variable (CLOUDFLARE_API_TOKEN,
CLOUDFLARE_ZONE_ID, ...). Exit codes: 0 all purged, 1 a purge or call failed,
2 the configuration is wrong (nothing was sent).

Flags:
`

// stringFlag records a flag's value and how many times it was given. A
// list flag given again adds its value on a new line (--tags a --tags b);
// any other flag given again is an error, reported after parsing so that
// the message names the flag without its value, which may be a secret.
type stringFlag struct {
	v      string
	isBool bool
	list   bool
	n      int
}

func (f *stringFlag) String() string { return f.v }
func (f *stringFlag) Set(s string) error {
	f.n++
	if f.list && f.n > 1 {
		f.v += "\n" + s
		return nil
	}
	f.v = s
	return nil
}
func (f *stringFlag) IsBoolFlag() bool { return f.isBool }

type cliFlags struct {
	inputs  map[string]*stringFlag
	json    bool
	sandbox bool
	debug   bool
	version bool
}

func parseFlags(args []string) (*cliFlags, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("cloudflare-purge", flag.ContinueOnError)
	// Parse would print its errors, which runCLI prints: once is enough.
	// runCLI sets the output for --help.
	fs.SetOutput(io.Discard)
	f := &cliFlags{inputs: map[string]*stringFlag{}}
	for _, in := range config.Inputs {
		sf := &stringFlag{isBool: in.Bool, list: in.List}
		f.inputs[in.Name] = sf
		usage := in.Usage
		if in.Env != "" {
			usage += " [$" + in.Env + "]"
		}
		if in.Default != "" {
			usage += " (default " + in.Default + ")"
		}
		fs.Var(sf, in.Name, usage)
	}
	fs.BoolVar(&f.json, "json", false, "print only the result document (JSON) on standard output")
	fs.BoolVar(&f.sandbox, "sandbox", false, "run against the built-in emulator (example.com, no token needed)")
	fs.BoolVar(&f.debug, "debug", false, "log every API call on standard error")
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
	// runCLI prints the usage for --help; Parse must not print it too.
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	if fs.NArg() > 0 {
		return nil, fs, fmt.Errorf("unexpected argument %q: values go in flags, such as --files %q", fs.Arg(0), fs.Arg(0))
	}
	var errs []error
	for _, in := range config.Inputs {
		if sf := f.inputs[in.Name]; sf.n > 1 && !sf.list {
			errs = append(errs, fmt.Errorf("--%s is given %d times: give it once (only --environment, --files, --tags, --hosts and --prefixes add up)", in.Name, sf.n))
		}
	}
	if len(errs) > 0 {
		return nil, fs, errors.Join(errs...)
	}
	return f, fs, nil
}

func (f *cliFlags) input(name string) string {
	if sf := f.inputs[name]; sf != nil {
		return sf.v
	}
	return ""
}

// runCLI is the command line: flags and environment in, a report on
// standard output (or the JSON document with --json), logs on standard error.
func runCLI(ctx context.Context, env Env) int {
	f, fs, err := parseFlags(env.Args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(env.Stdout)
		fmt.Fprint(env.Stdout, usageHead)
		fs.PrintDefaults()
		return result.ExitOK
	case err != nil:
		fmt.Fprintf(env.Stderr, "error: %v\nRun cloudflare-purge --help for usage.\n", err)
		return result.ExitConfig
	case f.version:
		fmt.Fprintf(env.Stdout, "cloudflare-purge %s\n", version())
		return result.ExitOK
	}

	src := config.Source{Input: f.input, Getenv: env.Getenv, Stdin: env.Stdin}
	if f.sandbox {
		srv := httptest.NewServer(emulator.New(emulator.Options{}))
		defer srv.Close()
		src = sandboxSource(src, srv.URL)
		fmt.Fprintf(env.Stderr, "Sandbox: purging against the built-in emulator at %s (zone example.com); nothing reaches Cloudflare.\n", srv.URL)
	}

	red := newRedactor(secretValues(src.Input, src.Getenv))
	stdout, stderr := red.Writer(env.Stdout), red.Writer(env.Stderr)
	debug := f.debug || env.Getenv("RUNNER_DEBUG") == "1"
	rn := runner{env: env, log: textLog{w: stderr, debug: debug}}
	r := rn.run(ctx, src)
	red.Result(r)

	if f.json {
		fmt.Fprintf(stdout, "%s\n", report.JSON(r))
	} else {
		fmt.Fprint(stdout, defuse(report.Human(r)))
	}
	return r.ExitCode()
}

// sandboxSource points a run at the emulator with its example zone and
// token, whatever credentials the environment holds.
func sandboxSource(src config.Source, url string) config.Source {
	input, getenv := src.Input, src.Getenv
	src.Input = func(name string) string {
		switch name {
		case config.InputAPIToken:
			return emulator.SandboxToken
		case config.InputAPIKey, config.InputAPIEmail:
			return ""
		case config.InputAPIURL:
			return url
		case config.InputZone:
			if z := strings.TrimSpace(input(name)); z != "" {
				return z
			}
			return emulator.ExampleZoneName
		}
		return input(name)
	}
	src.Getenv = func(k string) string {
		if strings.HasPrefix(k, "CLOUDFLARE_") {
			return "" // never a real account from the sandbox
		}
		return getenv(k)
	}
	return src
}

// version is the stamped Version, else the module version that go install
// or go run pkg@version recorded.
func version() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}
