package app

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/apischema"
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/pace"
)

// testToken is a well-formed token the test emulators accept.
const testToken = "tEsT0kEn-0123456789abcdefghijklmnopqrstu"

// harness runs the program in-process against an emulator behind the
// OpenAPI contract check, the way the runner or a terminal would.
type harness struct {
	t   testing.TB
	em  *emulator.Emulator
	srv *httptest.Server
	dir string

	mu         sync.Mutex
	violations []error

	// sleeps records the waits between retries; nothing really sleeps.
	sleeps []time.Duration
	// throttles records the pauses the client asked of the pacer after a
	// 429; the test pacer never waits in real time.
	throttles []time.Duration
	// RequestTimeout bounds each attempt (short, for hung-connection tests).
	RequestTimeout time.Duration
}

func newHarness(t testing.TB, opts emulator.Options) *harness {
	t.Helper()
	v, err := apischema.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, em: emulator.New(opts), dir: t.TempDir(), RequestTimeout: 5 * time.Second}
	h.em.AddToken(emulator.Token{Value: testToken, Permissions: []emulator.Permission{emulator.PermCachePurge, emulator.PermZoneRead, emulator.PermZoneVersioningRead}})
	h.srv = httptest.NewServer(apischema.Middleware(v, func(err error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.violations = append(h.violations, err)
	}, h.em))
	t.Cleanup(func() {
		h.srv.Close()
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, v := range h.violations {
			t.Errorf("OpenAPI contract violation: %v", v)
		}
	})
	return h
}

// run is one run's observable effects.
type run struct {
	code    int
	stdout  string
	stderr  string
	outputs map[string]string
	summary string
}

func (h *harness) env(args []string, vars map[string]string, stdin string) (Env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	env := Env{
		Args:   args,
		Stdin:  strings.NewReader(stdin),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string { return vars[k] },
		hooks: hooks{
			sleep: func(ctx context.Context, d time.Duration) error {
				h.mu.Lock()
				h.sleeps = append(h.sleeps, d)
				h.mu.Unlock()
				return ctx.Err()
			},
			requestTimeout: h.RequestTimeout,
			pacer:          testPacer{h},
		},
	}
	return env, &stdout, &stderr
}

// testPacer stands in for pace.Pacer, which waits in real time: it records
// the pauses asked for and lets every request go at once (the injected
// Sleep has already "waited" for Retry-After).
type testPacer struct{ h *harness }

func (p testPacer) Wait(ctx context.Context, c pace.Call) (func(pace.Answer), error) {
	return func(a pace.Answer) {
		if a.Status == http.StatusTooManyRequests || a.Code == 1134 {
			p.h.mu.Lock()
			defer p.h.mu.Unlock()
			p.h.throttles = append(p.h.throttles, a.RetryAfter)
		}
	}, ctx.Err()
}

// waits returns a copy of the sleeps recorded so far.
func (h *harness) waits() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Duration(nil), h.sleeps...)
}

// action runs the program as the runner does: every input of action.yml as
// INPUT_<NAME> with action.yml's defaults filled in, and the output and
// summary files. extra sets other environment variables.
func (h *harness) action(inputs map[string]string, extra map[string]string) run {
	h.t.Helper()
	return h.actionIn(h.dir, inputs, extra, nil)
}

// actionIn is action with its output files in dir, and mod, if set,
// changing the process's Env (a clock, a pacer) before the run.
func (h *harness) actionIn(dir string, inputs map[string]string, extra map[string]string, mod func(*Env)) run {
	h.t.Helper()
	vars := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_WORKSPACE":    h.dir,
		"GITHUB_OUTPUT":       filepath.Join(dir, "output.txt"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
	}
	os.Remove(vars["GITHUB_OUTPUT"])
	os.Remove(vars["GITHUB_STEP_SUMMARY"])
	for _, in := range config.Inputs {
		vars["INPUT_"+strings.ToUpper(in.Name)] = in.Default
	}
	for k, v := range inputs {
		vars["INPUT_"+strings.ToUpper(k)] = v
	}
	for k, v := range extra {
		vars[k] = v
	}
	env, stdout, stderr := h.env(nil, vars, "")
	if mod != nil {
		mod(&env)
	}
	code := Main(context.Background(), env)
	out, _ := os.ReadFile(vars["GITHUB_OUTPUT"])
	sum, _ := os.ReadFile(vars["GITHUB_STEP_SUMMARY"])
	return run{code: code, stdout: stdout.String(), stderr: stderr.String(), outputs: parseOutputs(h.t, string(out)), summary: string(sum)}
}

// defaults are the inputs most tests share: the emulator's URL and a token.
func (h *harness) defaults(more map[string]string) map[string]string {
	in := map[string]string{
		config.InputAPIToken: testToken,
		config.InputAPIURL:   h.srv.URL + "/client/v4",
		config.InputZone:     emulator.ExampleZoneID,
	}
	for k, v := range more {
		in[k] = v
	}
	return in
}

// cli runs the program as a command line.
func (h *harness) cli(args []string, vars map[string]string, stdin string) run {
	h.t.Helper()
	env, stdout, stderr := h.env(args, vars, stdin)
	code := Main(context.Background(), env)
	return run{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// leaks tells where a secret appears in what the run printed or wrote,
// besides the ::add-mask:: command that registers it with the runner.
func (r run) leaks(secret string) string {
	var log []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			log = append(log, l)
		}
	}
	places := map[string]string{"stdout": strings.Join(log, "\n"), "stderr": r.stderr, "summary": r.summary}
	for k, v := range r.outputs {
		places["output "+k] = v
	}
	for where, text := range places {
		if strings.Contains(text, secret) {
			return where
		}
	}
	return ""
}

// parseOutputs reads GITHUB_OUTPUT's name<<delimiter blocks.
func parseOutputs(t testing.TB, s string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

// purgeRequests counts the purge requests the emulator received.
func (h *harness) purgeRequests() int {
	n := 0
	for _, r := range h.em.Requests() {
		if strings.HasSuffix(r.Path, "/purge_cache") {
			n++
		}
	}
	return n
}

// paths lists "METHOD path" of every request received.
func (h *harness) paths() []string {
	var p []string
	for _, r := range h.em.Requests() {
		path := r.Path[strings.Index(r.Path, "/zones"):]
		p = append(p, r.Method+" "+path)
	}
	return p
}

var _ = http.MethodGet
