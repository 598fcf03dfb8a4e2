package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/verify"
)

// runCLI is the command line: flags and environment in, a report on
// standard output (or the JSON document with --json), logs on standard error.
func runCLI(ctx context.Context, env Env) int {
	f, fs, err := parseFlags(env.Args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printUsage(env.Stdout, fs)
		return ExitOK
	case err != nil:
		// The flags were not read: the secrets are those given in any
		// flag or variable, as found.
		red := redact.New(append(argSecrets(env.Args), secretValues(func(string) string { return "" }, env.Getenv)...)...)
		fmt.Fprintf(env.Stderr, "error: %s\nRun cloudflare-purge --help for usage.\n", safeLine(red, err.Error()))
		return ExitConfig
	case f.version:
		fmt.Fprintf(env.Stdout, "cloudflare-purge %s\n", version())
		return ExitOK
	}

	src := config.Source{Input: f.input, Getenv: env.Getenv, Stdin: env.Stdin, CLI: true}
	// The user's own credentials are masked in sandbox runs too, though
	// the sandbox does not use them.
	secrets := secretValues(src.Input, src.Getenv)
	var sandboxVerify verify.Options
	if f.sandbox {
		origin := emulator.Origin{}
		if f.deployAfter >= 0 {
			origin.DeployAfter = f.deployAfter
			fmt.Fprintf(env.Stderr, "Sandbox: the origin serves build %s until %s from now, then %s (header %s, and in the body).\n", "v1", f.deployAfter, "v2", emulator.BuildHeader)
		}
		sb, err := startSandbox(origin)
		if err != nil {
			fmt.Fprintf(env.Stderr, "error: the sandbox could not start: %v\n", err)
			return ExitFailed
		}
		defer sb.close()
		srv := sb.api
		sandboxVerify = sb.verify
		if ignored := sandboxIgnored(src); len(ignored) > 0 {
			fmt.Fprintf(env.Stderr, "Sandbox: ignoring %s: the sandbox uses its own token and API URL, and zone %s unless --zone is given.\n",
				strings.Join(ignored, ", "), emulator.ExampleZoneName)
		}
		src = sandboxSource(src, srv.URL)
		secrets = append(secrets, secretValues(src.Input, src.Getenv)...)
		fmt.Fprintf(env.Stderr, "Sandbox: running against the built-in emulator at %s (zone %s); nothing reaches Cloudflare.\n", srv.URL, report.Defuse(strings.TrimSpace(src.Input(config.InputZone))))
	}

	red := redact.New(secrets...)
	stdout, stderr := red.Writer(env.Stdout), red.Writer(env.Stderr)
	defer stdout.Flush()
	defer stderr.Flush()
	debug := f.debug || env.Getenv("RUNNER_DEBUG") == "1"
	rn := runner{env: env, log: textLog{w: stderr, debug: debug, red: red}, verify: sandboxVerify, mask: red.Add, redact: red.String}
	r := rn.run(ctx, src)
	r.ListItems = f.list
	redactResult(red, r)
	if r.Refused() && r.Error.Kind == result.KindInput {
		fmt.Fprintln(stderr, "Run cloudflare-purge --help for usage.")
	}
	if debug {
		printLines(rn.log, report.DebugLines(r))
	}

	// The report lists failed requests on standard output, but --json
	// users (and logs that keep only standard error) would see only the
	// exit code: one error line per distinct failure, as the action logs.
	see := "the report on standard output"
	if f.json {
		see = "the result document on standard output"
	}
	printLines(rn.log, report.FailureLines(r, see))

	if f.json {
		if err := report.WriteJSON(stdout, r); err != nil {
			fmt.Fprintf(stderr, "error: cannot write the result document: %v\n", err)
		}
	} else {
		fmt.Fprint(stdout, safeLine(red, report.Human(r)))
	}
	return exitCode(report.OutcomeOf(r))
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
