package app

import (
	"bytes"
	"context"
	"encoding/json"
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

// A run refused for its inputs: standard error says each problem once and
// where to look; standard output has no report (nothing ran).
func TestCLIInvalidInputReport(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	vars := map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL, "CLOUDFLARE_ZONE_ID": emulator.ExampleZoneID}
	r := h.cli([]string{"--tags", "a", "--files-per-request", "0", "--timeout", "soon"}, vars, "")
	if r.code != 2 || len(h.em.Requests()) != 0 {
		t.Fatalf("exit %d, %d requests; want 2 and none", r.code, len(h.em.Requests()))
	}
	if r.stdout != "" {
		t.Errorf("stdout:\n%s\nwant nothing: the run was refused", r.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "error: --files-per-request: \"0\": must be a whole number from 1 to 500") ||
		!strings.HasPrefix(lines[1], "error: --timeout: \"soon\": ") || lines[2] != "Run cloudflare-purge --help for usage." {
		t.Errorf("stderr:\n%s\nwant each problem once, then where to look", r.stderr)
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
	want = append(want, "json", "list", "sandbox", "deploy-after", "debug", "version")
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

// The CLI's own errors never quote a secret: a token after "--api-token= "
// (a stray space), a value equal to a secret given in a flag or a
// variable, or an argument that looks like a token.
func TestCLIErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	const email = "ops.secret@example.com"
	tests := []struct {
		name   string
		args   []string
		vars   map[string]string
		secret string
	}{
		{"a space after --api-token=", []string{"--zone", "example.com", "--files", "https://example.com/a", "--api-token=", leakToken}, nil, leakToken},
		{"a stray token of the environment's", []string{"--tags", "a", "zz" + leakKey[:10]}, map[string]string{"CLOUDFLARE_API_KEY": "zz" + leakKey[:10]}, "zz" + leakKey[:10]},
		{"a stray email given as a flag", []string{"--tags", "a", "--api-email", email, email}, nil, email},
		{"a stray email of the environment's", []string{"--tags", "a", email}, map[string]string{"CLOUDFLARE_EMAIL": email}, email},
		{"a token as a boolean's value", []string{"--tags", "a", "--api-key", leakKey + "0", "--dry-run=" + leakKey + "0"}, nil, leakKey + "0"},
		{"a token as a flag's name", []string{"--tags", "a", "--" + leakToken}, nil, leakToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			vars := tt.vars
			code := Main(context.Background(), Env{Args: tt.args, Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return vars[k] }})
			if code != ExitConfig {
				t.Errorf("exit %d, want %d", code, ExitConfig)
			}
			out := stdout.String() + stderr.String()
			for i := 0; i+10 <= len(tt.secret); i++ {
				if strings.Contains(out, tt.secret[i:i+10]) {
					t.Fatalf("the output shows %q of the secret:\n%s", tt.secret[i:i+10], out)
				}
			}
			if !strings.HasPrefix(stderr.String(), "error: ") {
				t.Errorf("stderr:\n%s", stderr.String())
			}
		})
	}
}

// A flag named as other tools name it, or a subcommand written as other
// tools have them, is refused with what to write instead, echoed as the
// user wrote it.
func TestCLIFlagSlips(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--token", "x", "--tags", "a"}, "unknown flag --token: did you mean --api-token?"},
		{[]string{"--zone-id", "x", "--tags", "a"}, "unknown flag --zone-id: did you mean --zone?"},
		{[]string{"--zone_id=x", "--tags", "a"}, "unknown flag --zone_id: did you mean --zone?"},
		{[]string{"-e", "Staging", "--tags", "a"}, "unknown flag -e: did you mean --environment?"},
		{[]string{"--tags", "a", "-enviroment", "Staging"}, "unknown flag -enviroment: did you mean --environment?"},
		{[]string{"--tags", "a", "--frobnicate"}, "unknown flag --frobnicate\n"},
		{[]string{"purge", "--sandbox", "--tags", "a"}, `unknown command "purge": cloudflare-purge purges with flags alone`},
		{[]string{"version"}, `unknown command "version": did you mean --version?`},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), Env{Args: tt.args, Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
		if code != 2 || !strings.HasPrefix(stderr.String(), "error: "+tt.want) {
			t.Errorf("%q: exit %d, stderr:\n%s\nwant exit 2 and %q", tt.args, code, stderr.String(), tt.want)
		}
	}
}
