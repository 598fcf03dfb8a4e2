package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// The secrets of the leak test. Each has characters that Markdown, JSON or
// workflow commands escape, so that an escaped copy would not be masked by
// a search for the plain value: the test looks for those copies too.
const (
	leakToken = "lEaK-t0ken_0123456789-abcdefghijklmnopq"
	leakKey   = "deadbeefcafef00d0123456789abcdef01234"
	leakEmail = "leak.t-e_st+ci@example.com"
	// An email may hold what the log's defusing changes ("##[" gets a
	// word joiner): it must be hidden before.
	leakHashEmail = "ops##[ci::x@example.com"
)

var leakSecrets = []string{leakToken, leakKey, leakEmail, leakHashEmail, testToken}

// fragment is how many characters of a secret in a row are a leak: a
// message cut short, or split by a server, must not show that many.
const fragment = 12

// encodings are the forms a secret could take on its way out: as is,
// escaped for Markdown, JSON, workflow commands or URLs, cut short, or in
// another case (host names are lower-cased).
func encodings(s string) map[string]string {
	var md strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[](){}#+-.!|~<>\"':@=&", r) {
			md.WriteByte('\\')
		}
		md.WriteRune(r)
	}
	js, _ := json.Marshal(s)
	forms := map[string]string{
		"plain":         s,
		"markdown":      md.String(),
		"json":          strings.Trim(string(js), `"`),
		"command":       strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s),
		"query-escaped": url.QueryEscape(s),
		"path-escaped":  url.PathEscape(s),
		"lower case":    strings.ToLower(s),
		"upper case":    strings.ToUpper(s),
	}
	out := map[string]string{}
	for name, v := range forms {
		out[name] = v
	}
	for i := 0; i+fragment <= len(s); i++ {
		out[fmt.Sprintf("characters %d-%d", i, i+fragment)] = s[i : i+fragment]
	}
	return out
}

// leakIn tells where any form of any secret appears in what a run printed
// or wrote, besides the ::add-mask:: commands that register them.
func leakIn(r run, secrets ...string) []string {
	var found []string
	for _, s := range secrets {
		for enc, v := range encodings(s) {
			if where := r.leaks(v); where != "" {
				found = append(found, where+": "+enc+" form of "+s)
			}
		}
	}
	return found
}

// panicTransport is an HTTP client that panics, with a secret in the panic
// value, the way a bug deep in a dependency could.
type panicTransport struct{}

func (panicTransport) RoundTrip(*http.Request) (*http.Response, error) {
	panic("transport bug while sending Authorization: Bearer " + leakToken)
}

// TestNoSecretLeaks runs the suite's scenarios with debug on and searches
// every byte printed or written (stdout but its ::add-mask:: lines, stderr,
// outputs, summary, the result document) for the secrets, in any form.
func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	debug := map[string]string{"RUNNER_DEBUG": "1"}
	type scenario struct {
		name string
		// run runs the program; h has leakToken (all permissions) and the
		// Global API key leakKey of leakEmail.
		run func(t *testing.T, h *harness) run
		// masks is how many ::add-mask:: commands an action run starts with.
		masks int
	}
	action := func(inputs map[string]string, faults ...emulator.Fault) func(t *testing.T, h *harness) run {
		return func(t *testing.T, h *harness) run {
			for _, f := range faults {
				h.em.Inject(f)
			}
			in := h.defaults(map[string]string{"api-token": leakToken, "max-retries": "1"})
			for k, v := range inputs {
				if v == "-" {
					delete(in, k)
					continue
				}
				in[k] = v
			}
			return h.action(in, debug)
		}
	}
	purgeFault := func(f emulator.Fault) emulator.Fault {
		f.Method, f.PathContains, f.Times = "POST", "/purge_cache", 100
		return f
	}
	keyAuth := map[string]string{"api-token": "", "api-key": leakKey, "api-email": leakEmail}
	with := func(a, b map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range a {
			m[k] = v
		}
		for k, v := range b {
			m[k] = v
		}
		return m
	}
	cli := func(args []string, vars map[string]string, stdin string) func(t *testing.T, h *harness) run {
		return func(t *testing.T, h *harness) run {
			v := map[string]string{"CLOUDFLARE_BASE_URL": h.srv.URL, "CLOUDFLARE_ZONE_ID": zoneID}
			for k, x := range vars {
				v[k] = x
			}
			return h.cli(args, v, stdin)
		}
	}
	// A server (or proxy) that echoes the credentials in its error message.
	echo := func(msg string) emulator.Fault {
		return purgeFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 400, Code: 9106, Message: msg})
	}

	scenarios := []scenario{
		{name: "success", masks: 1, run: action(map[string]string{"environment": "Staging", "files": "https://example.com/a.css", "tags": "a"})},
		{name: "zone by name, environment by name", masks: 1, run: action(map[string]string{"zone": "example.com", "environment": "Development", "tags": "a"})},
		{name: "dry run", masks: 1, run: action(map[string]string{"environment": "Staging", "tags": "a", "dry-run": "true"})},
		{name: "api-key and email", masks: 2, run: action(with(keyAuth, map[string]string{"environment": "Staging", "tags": "a"}))},
		{name: "api-key and email, failing", masks: 2, run: action(with(keyAuth, map[string]string{"tags": "a"}), purgeFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 500}))},
		{name: "api-key and email unknown", masks: 2, run: action(map[string]string{"api-token": "", "api-key": leakKey + "9", "api-email": leakEmail, "tags": "a"})},
		{name: "secrets from the environment", masks: 1, run: func(t *testing.T, h *harness) run {
			in := h.defaults(map[string]string{"api-token": "", "tags": "a"})
			return h.action(in, map[string]string{"RUNNER_DEBUG": "1", "CLOUDFLARE_API_TOKEN": leakToken})
		}},

		// Every fault, for good.
		{name: "fault 500", masks: 1, run: action(map[string]string{"tags": "a"}, purgeFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 500}))},
		{name: "fault 429", masks: 1, run: action(map[string]string{"tags": "a"}, purgeFault(emulator.Fault{Kind: emulator.FaultRateLimited, RetryAfter: "1"}))},
		{name: "fault reset", masks: 1, run: action(map[string]string{"tags": "a"}, purgeFault(emulator.Fault{Kind: emulator.FaultReset}))},
		{name: "fault hang", masks: 1, run: action(map[string]string{"tags": "a"}, purgeFault(emulator.Fault{Kind: emulator.FaultHang}))},
		{name: "fault HTML", masks: 1, run: action(map[string]string{"tags": "a"}, purgeFault(emulator.Fault{Kind: emulator.FaultHTML}))},
		{name: "fault truncated", masks: 1, run: action(map[string]string{"tags": "a"}, purgeFault(emulator.Fault{Kind: emulator.FaultTruncated}))},
		{name: "fault success:false", masks: 1, run: action(map[string]string{"tags": "a"}, purgeFault(emulator.Fault{Kind: emulator.FaultSuccessFalse}))},
		{name: "fault no id", masks: 1, run: action(map[string]string{"tags": "a"}, purgeFault(emulator.Fault{Kind: emulator.FaultNoID}))},
		{name: "run timeout", masks: 1, run: action(map[string]string{"tags": "a", "timeout": "300ms"}, purgeFault(emulator.Fault{Kind: emulator.FaultHang}))},
		{name: "zone lookup fails", masks: 1, run: action(map[string]string{"zone": "example.com", "tags": "a"}, emulator.Fault{Kind: emulator.FaultStatus, Status: 500, Method: "GET", Times: 100})},
		{name: "environments call fails", masks: 1, run: action(map[string]string{"environment": "Staging", "tags": "a"}, emulator.Fault{Kind: emulator.FaultHTML, Method: "GET", Times: 100})},
		{name: "403 10000", masks: 1, run: action(map[string]string{"api-token": testToken + "x", "tags": "a"})},
		{name: "6003: a token as the Global API key", masks: 2, run: action(map[string]string{"api-token": "", "api-key": leakToken, "api-email": leakEmail, "tags": "a"})},

		// The server echoes a secret back: in the log, outputs and summary
		// it must still be masked, Markdown-escaped or not.
		{name: "server echoes the token", masks: 1, run: action(map[string]string{"tags": "a"}, echo("Invalid header Authorization: Bearer "+leakToken))},
		{name: "server echoes the token in lower case", masks: 1, run: action(map[string]string{"tags": "a"}, echo("invalid header authorization: bearer "+strings.ToLower(leakToken)))},
		{name: "server echoes the token in upper case, --debug CLI", run: func(t *testing.T, h *harness) run {
			h.em.Inject(echo("INVALID TOKEN " + strings.ToUpper(leakToken)))
			return cli([]string{"--tags", "a", "--debug", "--max-retries", "0"}, map[string]string{"CLOUDFLARE_API_TOKEN": leakToken}, "")(t, h)
		}},
		{name: "server echoes an email that holds ##[", masks: 2, run: func(t *testing.T, h *harness) run {
			h.em.AddGlobalKey(leakHashEmail, leakKey)
			return action(map[string]string{"api-token": "", "api-key": leakKey, "api-email": leakHashEmail, "tags": "a"}, echo("Unknown X-Auth-Email "+leakHashEmail))(t, h)
		}},
		{name: "zone read echoes an email that holds ##[", masks: 2, run: func(t *testing.T, h *harness) run {
			h.em.AddGlobalKey(leakHashEmail, leakKey)
			h.em.Inject(emulator.Fault{Kind: emulator.FaultStatus, Status: 403, Code: 10000, Message: "Unknown X-Auth-Email " + leakHashEmail, Method: "GET", Times: 100})
			in := h.defaults(map[string]string{"api-token": "", "api-key": leakKey, "api-email": leakHashEmail, "tags": "a"})
			// The run's own pacer reads the zone's plan: its refusal is a
			// debug line, printed as the run goes.
			return h.actionIn(h.dir, in, debug, func(e *Env) { e.hooks.pacer = nil })
		}},
		{name: "server echoes an email that holds ##[, CLI", run: func(t *testing.T, h *harness) run {
			h.em.AddGlobalKey(leakHashEmail, leakKey)
			h.em.Inject(echo("Unknown X-Auth-Email " + leakHashEmail))
			return cli([]string{"--tags", "a", "--debug", "--max-retries", "0"}, map[string]string{"CLOUDFLARE_API_KEY": leakKey, "CLOUDFLARE_EMAIL": leakHashEmail}, "")(t, h)
		}},
		{name: "server echoes the token where its message is cut", masks: 1, run: action(map[string]string{"tags": "a"}, echo(strings.Repeat("m", 976)+leakToken))},
		{name: "server echoes the token with zero-width spaces in it", masks: 1, run: action(map[string]string{"tags": "a"}, echo("bad "+strings.Join(strings.Split(leakToken, ""), "\u200b")))},
		{name: "server echoes key and email", masks: 2, run: action(with(keyAuth, map[string]string{"tags": "a"}), echo("Unknown X-Auth-Key "+leakKey+" for "+leakEmail))},
		{name: "a failed URL holds the token", masks: 1, run: action(map[string]string{"files": "https://example.com/signed?t=" + leakToken}, purgeFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 500}))},
		{name: "panic with the token in it", masks: 1, run: func(t *testing.T, h *harness) run {
			in := h.defaults(map[string]string{"api-token": leakToken, "tags": "a"})
			return h.actionIn(h.dir, in, debug, func(e *Env) { e.hooks.httpClient = &http.Client{Transport: panicTransport{}} })
		}},
		{name: "panic during a zone lookup", masks: 1, run: func(t *testing.T, h *harness) run {
			in := h.defaults(map[string]string{"api-token": leakToken, "zone": "example.com", "tags": "a"})
			return h.actionIn(h.dir, in, debug, func(e *Env) { e.hooks.httpClient = &http.Client{Transport: panicTransport{}} })
		}},

		// Bad input: refused, the secrets hidden, wherever the user put them.
		{name: "token with a space", masks: 1, run: action(map[string]string{"api-token": "lEaK-t0ken 0123456789-abcdefghijklmnopq", "tags": "a"})},
		{name: "token and key", masks: 3, run: action(map[string]string{"api-key": leakKey, "api-email": leakEmail, "tags": "a"})},
		{name: "key without email", masks: 1, run: action(map[string]string{"api-token": "", "api-key": leakKey, "tags": "a"})},
		{name: "email without key", masks: 1, run: action(map[string]string{"api-token": "", "api-email": leakEmail, "tags": "a"})},
		{name: "bad email", masks: 1, run: action(map[string]string{"api-token": "", "api-key": leakKey, "api-email": "leak.t-e_st+ci-example.com", "tags": "a"})},
		{name: "api-url with the token in its path", masks: 1, run: action(map[string]string{"tags": "a", "api-url": "http://127.0.0.1:9/" + leakToken + "/client/v4"})},
		{name: "api-url with the token in its query", masks: 1, run: action(map[string]string{"tags": "a", "api-url": "http://127.0.0.1:9/client/v4?token=" + leakToken})},
		{name: "api-url with credentials", masks: 1, run: action(map[string]string{"tags": "a", "api-url": "https://ci:" + leakToken + "@proxy.example/client/v4"})},
		{name: "the token as the zone", masks: 1, run: action(map[string]string{"tags": "a", "zone": leakToken})},
		{name: "the token as an environment", masks: 1, run: action(map[string]string{"tags": "a", "environment": "Staging," + leakToken})},
		{name: "the token in a long tag", masks: 1, run: action(map[string]string{"tags": strings.Repeat("x", 110) + leakToken + strings.Repeat("y", 1000)})},
		{name: "the token in a bad URL", masks: 1, run: action(map[string]string{"files": "ftp://" + leakToken + "@example.com/a"})},
		{name: "the token as a prefix", masks: 1, run: action(map[string]string{"prefixes": "https://example.com/" + leakToken})},
		{name: "the email in a files line", masks: 2, run: action(with(keyAuth, map[string]string{"files": `{"url": "https://example.com/a", "headers": {"X-Who": "` + leakEmail + `", "bad": 1}}`}))},
		{name: "the token in files-from", masks: 1, run: func(t *testing.T, h *harness) run {
			if err := os.WriteFile(filepath.Join(h.dir, "list.txt"), []byte("https://example.com/a\nnot-a-url-"+leakToken+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return action(map[string]string{"files-from": "list.txt"})(t, h)
		}},
		{name: "files-from names the token", masks: 1, run: action(map[string]string{"files-from": leakToken + ".txt"})},
		// Inputs that are lower-cased on their way to the log: refused.
		{name: "the token in a host, upper case", masks: 1, run: action(map[string]string{"hosts": strings.ToUpper(leakToken) + ".example.com"})},
		{name: "the token in a prefix host", masks: 1, run: action(map[string]string{"prefixes": leakToken + ".example.com/a"})},
		{name: "the token in a URL host", masks: 1, run: action(map[string]string{"files": "https://" + leakToken + ".example.com/a"})},
		{name: "the token in a zone name", masks: 1, run: action(map[string]string{"zone": leakToken + ".example.com", "tags": "a"})},
		{name: "the email in a tag, upper case", masks: 2, run: action(with(keyAuth, map[string]string{"tags": strings.ToUpper(leakEmail)}))},
		{name: "the token in base-url", masks: 1, run: action(map[string]string{"files": "a.css", "base-url": "https://example.com/" + leakToken})},
		{name: "the token in a git-quoted files-from name", masks: 1, run: func(t *testing.T, h *harness) run {
			// \154 is l: the file holds the token only once unquoted.
			if err := os.WriteFile(filepath.Join(h.dir, "list.txt"), []byte("a.css\n\"x/\\154"+leakToken[1:]+".css\"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return action(map[string]string{"files-from": "list.txt", "base-url": "https://example.com"})(t, h)
		}},
		{name: "CLI the token in repeated --hosts", run: cli([]string{"--hosts", "www.example.com", "--hosts", strings.ToUpper(leakToken) + ".example.com", "--debug"}, map[string]string{"CLOUDFLARE_API_TOKEN": leakToken}, "")},
		{name: "CLI --api-token given twice", run: cli([]string{"--api-token", leakToken, "--api-token", leakToken + "x", "--tags", "a"}, nil, "")},

		// The CLI: flags, environment variables, --json and --debug.
		{name: "CLI --json", run: cli([]string{"--environment", "Staging", "--tags", "a", "--json"}, map[string]string{"CLOUDFLARE_API_TOKEN": leakToken}, "")},
		{name: "CLI --debug", run: cli([]string{"--environment", "Staging", "--files-from", "-", "--debug"}, map[string]string{"CLOUDFLARE_API_TOKEN": leakToken}, "https://example.com/a\n")},
		{name: "CLI RUNNER_DEBUG=1", run: cli([]string{"--tags", "a"}, map[string]string{"CLOUDFLARE_API_TOKEN": leakToken, "RUNNER_DEBUG": "1"}, "")},
		{name: "CLI --api-token flag, --debug", run: cli([]string{"--api-token", leakToken, "--tags", "a", "--debug"}, nil, "")},
		{name: "CLI api-key and email, --debug --json", run: cli([]string{"--api-key", leakKey, "--api-email", leakEmail, "--tags", "a", "--debug", "--json"}, nil, "")},
		{name: "CLI api-key and email from the environment, --debug", run: cli([]string{"--tags", "a", "--debug"}, map[string]string{"CLOUDFLARE_API_KEY": leakKey, "CLOUDFLARE_EMAIL": leakEmail}, "")},
		{name: "CLI failing, --debug", run: func(t *testing.T, h *harness) run {
			h.em.Inject(echo("Invalid header Authorization: Bearer " + leakToken))
			return cli([]string{"--tags", "a", "--debug", "--max-retries", "0"}, map[string]string{"CLOUDFLARE_API_TOKEN": leakToken}, "")(t, h)
		}},
		{name: "CLI --json failing", run: func(t *testing.T, h *harness) run {
			h.em.Inject(echo("Unknown X-Auth-Key " + leakKey + " for " + leakEmail))
			return cli([]string{"--tags", "a", "--json", "--api-key", leakKey, "--api-email", leakEmail}, nil, "")(t, h)
		}},
		{name: "CLI bad input, --debug", run: cli([]string{"--zone", leakToken, "--tags", "a", "--debug"}, map[string]string{"CLOUDFLARE_API_TOKEN": leakToken}, "")},
		{name: "CLI unreachable api-url, --debug", run: cli([]string{"--api-url", "http://127.0.0.1:9/client/v4", "--tags", "a", "--debug", "--max-retries", "0"}, map[string]string{"CLOUDFLARE_API_TOKEN": leakToken}, "")},
		{name: "CLI panic, --debug", run: func(t *testing.T, h *harness) run {
			env, stdout, stderr := h.env([]string{"--tags", "a", "--debug"}, map[string]string{"CLOUDFLARE_API_TOKEN": leakToken, "CLOUDFLARE_BASE_URL": h.srv.URL, "CLOUDFLARE_ZONE_ID": zoneID}, "")
			env.hooks.httpClient = &http.Client{Transport: panicTransport{}}
			code := Main(context.Background(), env)
			return run{code: code, stdout: stdout.String(), stderr: stderr.String()}
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			h.RequestTimeout = 100 * time.Millisecond
			h.em.AddToken(emulator.Token{Value: leakToken, Permissions: []emulator.Permission{emulator.PermCachePurge, emulator.PermZoneRead, emulator.PermZoneVersioningRead}})
			h.em.AddGlobalKey(leakEmail, leakKey)
			r := sc.run(t, h)
			for _, where := range leakIn(r, leakSecrets...) {
				t.Errorf("secret leaked in %s", where)
			}
			if testing.Verbose() {
				t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s\nsummary:\n%s", r.code, r.stdout, r.stderr, r.summary)
			}
			if sc.masks == 0 {
				return
			}
			// ::add-mask:: comes before anything else is printed.
			lines := strings.Split(r.stdout, "\n")
			for i := range sc.masks {
				if i >= len(lines) || !strings.HasPrefix(lines[i], "::add-mask::") {
					t.Errorf("line %d is not an ::add-mask:: command (want %d first):\n%s", i+1, sc.masks, r.stdout)
					break
				}
			}
			if r.outputs["result"] == "" {
				t.Errorf("no result output: outputs are written on failure too (exit %d)\n%s", r.code, r.stdout)
			}
		})
	}
}
