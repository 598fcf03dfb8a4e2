package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// A run refused for its inputs: standard output has the problems, one
// "Error:" line each, and no totals (nothing ran); standard error keeps
// its log lines.
func TestCLIInvalidInputReport(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	vars := map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL, "CLOUDFLARE_ZONE_ID": emulator.ExampleZoneID}
	r := h.cli([]string{"--tags", "a", "--files-per-request", "0", "--timeout", "soon"}, vars, "")
	if r.code != 2 || len(h.em.Requests()) != 0 {
		t.Fatalf("exit %d, %d requests; want 2 and none", r.code, len(h.em.Requests()))
	}
	want := "Error: input files-per-request: \"0\": must be a whole number from 1 to 500\n" +
		"Error: input timeout: \"soon\": "
	if !strings.HasPrefix(r.stdout, want) || strings.Count(r.stdout, "\n") != 2 || strings.Contains(r.stdout, "Purged") {
		t.Errorf("stdout:\n%s\nwant two Error: lines, starting %q", r.stdout, want)
	}
	if !strings.Contains(r.stderr, "error: input files-per-request") || !strings.Contains(r.stderr, "error: input timeout") {
		t.Errorf("stderr lacks the problems:\n%s", r.stderr)
	}

	// --json still prints the document.
	r = h.cli([]string{"--tags", "a", "--files-per-request", "0", "--json"}, vars, "")
	var doc result.Result
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Error == nil || doc.Error.Kind != result.KindInput {
		t.Errorf("--json: %v\n%s", err, r.stdout)
	}
}

// A boolean flag written with a separate value (--dry-run false) is
// refused with how to write it, not as a stray argument to put in --files.
func TestCLIBoolFlagWithValue(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	vars := map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL, "CLOUDFLARE_ZONE_ID": emulator.ExampleZoneID}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--tags", "a", "--dry-run", "false"}, "--dry-run takes no value: write --dry-run=false"},
		{[]string{"--tags", "a", "--dry-run", "true"}, "--dry-run takes no value: write --dry-run=true"},
		{[]string{"--purge-everything", "True"}, "--purge-everything takes no value: write --purge-everything=True"},
		{[]string{"--tags", "a", "-json", "false"}, "--json takes no value: write --json=false"},
		{[]string{"--sandbox", "false", "--tags", "a"}, "--sandbox takes no value: write --sandbox=false"},
		{[]string{"--tags", "a", "--debug", "FALSE"}, "--debug takes no value: write --debug=FALSE"},
		// Not after a boolean flag: a stray argument as before.
		{[]string{"--tags", "a", "false"}, `unexpected argument "false": values go in flags, such as --files "false"`},
		{[]string{"--dry-run=true", "false"}, `unexpected argument "false"`},
		{[]string{"--dry-run", "--", "false"}, `unexpected argument "false"`},
		{[]string{"--dry-run", "no"}, `unexpected argument "no"`},
	}
	for _, tt := range tests {
		r := h.cli(tt.args, vars, "")
		if r.code != 2 || !strings.Contains(r.stderr, "error: "+tt.want) {
			t.Errorf("%q: exit %d, stderr:\n%s\nwant exit 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
	if n := len(h.em.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}

	var stderr bytes.Buffer
	code := Main(context.Background(), Env{Args: []string{"emulate", "--rate-limits", "false"}, Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if want := "--rate-limits takes no value: write --rate-limits=false"; code != 2 || !strings.Contains(stderr.String(), want) {
		t.Errorf("emulate: exit %d, stderr:\n%s\nwant exit 2 and %q", code, stderr.String(), want)
	}
}

// --help lists every flag as it is written, --name PLACEHOLDER (booleans
// bare), inputs in config.Inputs order then the CLI's own, each with its
// usage on the next line, environment variable and default as before.
func TestCLIHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), Env{Args: []string{"--help"}, Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	out := stdout.String()
	if code != 0 || stderr.Len() != 0 {
		t.Fatalf("exit %d, stderr %q; want 0 and the usage on standard output", code, stderr.String())
	}
	_, flags, ok := strings.Cut(out, "\nFlags:\n")
	if !ok {
		t.Fatalf("no Flags: section:\n%s", out)
	}
	lines := strings.Split(strings.TrimSuffix(flags, "\n"), "\n")
	if len(lines)%2 != 0 {
		t.Fatalf("want a name line and a usage line per flag:\n%s", flags)
	}
	flagLine := regexp.MustCompile(`^  --([a-z-]+)( [A-Z]+)?$`)
	var names []string
	placeholder := map[string]string{}
	usage := map[string]string{}
	for i := 0; i < len(lines); i += 2 {
		m := flagLine.FindStringSubmatch(lines[i])
		if m == nil || !strings.HasPrefix(lines[i+1], "        ") || strings.TrimSpace(lines[i+1]) == "" {
			t.Errorf("flag lines %q, %q: want \"  --name PLACEHOLDER\" then the usage, indented", lines[i], lines[i+1])
			continue
		}
		names = append(names, m[1])
		placeholder[m[1]] = strings.TrimSpace(m[2])
		usage[m[1]] = strings.TrimSpace(lines[i+1])
	}
	var want []string
	for _, in := range config.Inputs {
		want = append(want, in.Name)
	}
	want = append(want, "json", "sandbox", "debug", "version")
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("flags listed (-want +got):\n%s", diff)
	}
	for _, in := range config.Inputs {
		switch p := placeholder[in.Name]; {
		case in.Bool && p != "":
			t.Errorf("--%s is a boolean flag, shown with %q", in.Name, p)
		case !in.Bool && (p == "" || p == "VALUE"):
			t.Errorf("--%s has no placeholder of its own (%q)", in.Name, p)
		}
		if in.Env != "" && !strings.Contains(usage[in.Name], "[$"+in.Env+"]") {
			t.Errorf("--%s usage %q lacks its variable %s", in.Name, usage[in.Name], in.Env)
		}
		if in.Default != "" && !in.Bool && !strings.Contains(usage[in.Name], "(default "+in.Default+")") {
			t.Errorf("--%s usage %q lacks its default %s", in.Name, usage[in.Name], in.Default)
		}
	}
	for name, p := range map[string]string{"files-from": "FILE", "timeout": "DURATION", "files-per-request": "N", "api-token": "TOKEN", "base-url": "URL"} {
		if placeholder[name] != p {
			t.Errorf("--%s %s, want --%s %s", name, placeholder[name], name, p)
		}
	}
	for _, bad := range []string{"(default false)", " value\n", "\n  -", "\t"} {
		if strings.Contains(strings.ReplaceAll(out, "\n  --", ""), bad) {
			t.Errorf("--help contains %q:\n%s", bad, out)
		}
	}

	stdout.Reset()
	code = Main(context.Background(), Env{Args: []string{"emulate", "--help"}, Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	for _, w := range []string{"  --listen ADDR\n", "  --rate-limits\n", "  --history N\n        how many requests and purges to keep"} {
		if code != 0 || !strings.Contains(stdout.String(), w) {
			t.Errorf("emulate --help: exit %d, lacks %q:\n%s", code, w, stdout.String())
		}
	}
}

// Failed purges are named on standard error, one line per distinct error
// per environment, also with --json (whose standard output is only the
// document).
func TestCLIFailuresOnStderr(t *testing.T) {
	t.Parallel()
	const noPurgeToken = "nO-PuRgE-0123456789abcdefghijklmnopqrstu"
	h := newHarness(t, emulator.Options{})
	h.em.AddToken(emulator.Token{Value: noPurgeToken, Permissions: []emulator.Permission{emulator.PermZoneRead, emulator.PermZoneVersioningRead}})
	vars := map[string]string{"CLOUDFLARE_API_TOKEN": noPurgeToken, "CLOUDFLARE_BASE_URL": h.srv.URL, "CLOUDFLARE_ZONE_ID": emulator.ExampleZoneID}
	tags := make([]string, 150) // two requests, one error
	for i := range tags {
		tags[i] = fmt.Sprint("t", i)
	}
	for _, json := range []bool{false, true} {
		args := []string{"--environment", "Staging,Development", "--tags", strings.Join(tags, ",")}
		if json {
			args = append(args, "--json")
		}
		r := h.cli(args, vars, "")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
		}
		var errs []string
		for _, l := range strings.Split(r.stderr, "\n") {
			if strings.HasPrefix(l, "error: ") {
				errs = append(errs, l)
			}
		}
		if len(errs) != 2 || !strings.HasPrefix(errs[0], "error: Staging: 2 requests (150 tags) failed: purge failed (HTTP 403): Cloudflare error 10000") ||
			!strings.HasPrefix(errs[1], "error: Development: 2 requests (150 tags) failed: ") {
			t.Errorf("--json %v: error lines:\n%s\nwant one per environment", json, strings.Join(errs, "\n"))
		}
		if strings.Contains(r.stderr, noPurgeToken) {
			t.Errorf("stderr shows the token")
		}
	}

	// A clean run has none.
	vars["CLOUDFLARE_API_TOKEN"] = testToken
	if r := h.cli([]string{"--tags", "a"}, vars, ""); r.code != 0 || strings.Contains(r.stderr, "error") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// failures groups by distinct error per environment, most items first;
// logFailures writes at most maxErrorLines, the last counting the rest.
func TestLogFailures(t *testing.T) {
	t.Parallel()
	r := &result.Result{}
	for i := range maxErrorLines + 2 {
		e := result.Environment{Name: fmt.Sprint("env", i), Endpoint: result.EndpointEnvironment, Ref: fmt.Sprint("ref", i)}
		for j := range 2 { // two requests with the same error
			e.Batches = append(e.Batches, result.Batch{Kind: "tags", Count: i + 1 + j, Status: result.Failed,
				Error: &result.Error{Kind: result.KindAPI, Step: "purge", HTTPStatus: 400, Code: 1000 + i, Message: "bad"}})
		}
		e.Batches = append(e.Batches,
			result.Batch{Kind: "tags", Count: 1, Status: result.Purged, ID: "x"},
			result.Batch{Kind: "tags", Count: 1, Status: result.Failed, Error: result.StopError(&result.Error{Kind: result.KindAPI})})
		r.Environments = append(r.Environments, e)
	}
	fails := failures(r)
	if len(fails) != maxErrorLines+2 || fails[0].env != fmt.Sprint("env", maxErrorLines+1) || fails[0].requests != 2 || fails[0].items != 2*maxErrorLines+5 {
		t.Fatalf("first failure %+v of %d", fails[0], len(fails))
	}
	var log recordLog
	logFailures(&log, fails, "SEE")
	if len(log.errors) != maxErrorLines {
		t.Fatalf("%d error lines, want %d:\n%s", len(log.errors), maxErrorLines, strings.Join(log.errors, "\n"))
	}
	if got, want := log.errors[0], "env11: 2 requests (25 tags) failed: purge failed (HTTP 400): Cloudflare error 1011: bad"; got != want {
		t.Errorf("first line %q, want %q", got, want)
	}
	if got, want := log.errors[maxErrorLines-1], "6 more requests (15 items) failed with 3 other errors: see SEE"; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
}

type recordLog struct{ errors []string }

func (l *recordLog) Debugf(string, ...any)   {}
func (l *recordLog) Infof(string, ...any)    {}
func (l *recordLog) Warningf(string, ...any) {}
func (l *recordLog) Errorf(format string, args ...any) {
	l.errors = append(l.errors, fmt.Sprintf(format, args...))
}
func (l *recordLog) Group(string) {}
func (l *recordLog) EndGroup()    {}

// --sandbox says which of the user's settings it ignores, never their
// values, and masks the user's token all the same.
func TestSandboxIgnoresCredentials(t *testing.T) {
	t.Parallel()
	const real = "rEaL-ToKeN-0123456789abcdefghijklmnop"
	h := newHarness(t, emulator.Options{})
	tests := []struct {
		args []string
		vars map[string]string
		want string // "" for no note
	}{
		{args: []string{"--tags", "a"}, vars: map[string]string{"CLOUDFLARE_API_TOKEN": real},
			want: "Sandbox: ignoring CLOUDFLARE_API_TOKEN: "},
		{args: []string{"--tags", "a", "--api-token", real, "--api-url", "https://api.example/v4"}, vars: map[string]string{"CLOUDFLARE_ZONE_ID": "ffffffffffffffffffffffffffffffff"},
			want: "Sandbox: ignoring --api-token, --api-url, CLOUDFLARE_ZONE_ID: "},
		{args: []string{"--tags", "a", "--zone", "example.com"}, vars: map[string]string{"CLOUDFLARE_ZONE_ID": "ffffffffffffffffffffffffffffffff", "CLOUDFLARE_API_KEY": real, "CLOUDFLARE_EMAIL": "me@example.com"},
			want: "Sandbox: ignoring CLOUDFLARE_API_KEY, CLOUDFLARE_EMAIL: "},
		{args: []string{"--tags", "a"}, vars: map[string]string{}},
	}
	for _, tt := range tests {
		r := h.cli(append([]string{"--sandbox"}, tt.args...), tt.vars, "")
		if r.code != 0 {
			t.Errorf("%q: exit %d\n%s", tt.args, r.code, r.stderr)
		}
		if tt.want == "" && strings.Contains(r.stderr, "ignoring") || tt.want != "" && !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%q %v: stderr:\n%s\nwant %q", tt.args, tt.vars, r.stderr, tt.want)
		}
		if where := r.leaks(real); where != "" {
			t.Errorf("%q: the user's token shows in %s", tt.args, where)
		}
	}
	// The user's token is masked even where it is pasted in by mistake
	// (here, in an error that quotes the value).
	r := h.cli([]string{"--sandbox", "--files", "ftp://example.com/" + real}, map[string]string{"CLOUDFLARE_API_TOKEN": real}, "")
	if r.code != 2 || !strings.Contains(r.stdout, "Error: input files") {
		t.Errorf("exit %d, stdout:\n%s", r.code, r.stdout)
	}
	if where := r.leaks(real); where != "" {
		t.Errorf("the user's token pasted in --tags shows in %s:\nstdout:\n%s\nstderr:\n%s", where, r.stdout, r.stderr)
	}
	if n := len(h.em.Requests()); n != 0 {
		t.Errorf("the harness's emulator got %d requests: the sandbox has its own", n)
	}
}

// emulate keeps 1,000 requests and purges by default; --history sets it.
func TestEmulateHistory(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want int
		err  string
	}{
		{args: nil, want: 1000},
		{args: []string{"--history", "0"}, want: 0},
		{args: []string{"--history=50", "--plan", "free"}, want: 50},
		{args: []string{"--history", "-1"}, err: "--history -1: must be 0 (keep all) or more"},
		{args: []string{"--history", "many"}, err: "invalid value"},
	} {
		cfg, err := parseEmulate(tt.args, io.Discard)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want %q", tt.args, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("%q: %v", tt.args, err)
		case tt.err == "" && cfg.opts.History != tt.want:
			t.Errorf("%q: history %d, want %d", tt.args, cfg.opts.History, tt.want)
		}
	}
	if _, err := parseEmulate([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}
