package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// The CLI as a person uses it: what a slip at the keyboard gets back.

// A mistyped flag, echoed as it was written, gets the nearest flag's name
// and where to look, once, on standard error; nothing is sent.
func TestCLIMistypedFlag(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	for _, tt := range []struct{ arg, want string }{
		{"--enviroment", "error: unknown flag --enviroment: did you mean --environment?\nRun cloudflare-purge --help for usage.\n"},
		{"-enviroment", "error: unknown flag -enviroment: did you mean --environment?\nRun cloudflare-purge --help for usage.\n"},
		{"--dryrun", "error: unknown flag --dryrun: did you mean --dry-run?\nRun cloudflare-purge --help for usage.\n"},
		{"--Tags", "error: unknown flag --Tags: did you mean --tags?\nRun cloudflare-purge --help for usage.\n"},
		{"--frobnicate", "error: unknown flag --frobnicate\nRun cloudflare-purge --help for usage.\n"},
	} {
		r := h.cli([]string{tt.arg, "Staging"}, nil, "")
		if r.code != 2 || r.stderr != tt.want || r.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2, nothing, %q", tt.arg, r.code, r.stdout, r.stderr, tt.want)
		}
	}
	if n := len(h.em.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// "cloudflare-purge help" is --help.
func TestCLIHelpWord(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	word, flag := h.cli([]string{"help"}, nil, ""), h.cli([]string{"--help"}, nil, "")
	if word.code != 0 || word.stdout != flag.stdout || !strings.HasPrefix(word.stdout, "cloudflare-purge purges") {
		t.Errorf("help: exit %d, stdout:\n%s", word.code, word.stdout)
	}
}

// A bare cloudflare-purge says each problem once, on standard error, and
// points at --help.
func TestCLIBareSaysEachErrorOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli(nil, nil, "")
	if r.code != 2 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 2 and nothing", r.code, r.stdout)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	seen := map[string]bool{}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "error: ") || seen[l] {
			t.Errorf("line %q: want each error once, as error:", l)
		}
		seen[l] = true
	}
	if len(lines) < 3 || lines[len(lines)-1] != "Run cloudflare-purge --help for usage." {
		t.Errorf("stderr:\n%s\nwant the problems, then where to look", r.stderr)
	}
}

// The sandbox names the zone it purges, the one given too.
func TestCLISandboxNamesTheZoneGiven(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli([]string{"--sandbox", "--zone", "exmple.com", "--tags", "a"}, nil, "")
	if !strings.Contains(r.stderr, "(zone exmple.com)") || strings.Contains(r.stderr, "(zone example.com)") {
		t.Errorf("stderr:\n%s\nwant the zone given, exmple.com", r.stderr)
	}
}

// A zone or environment a slip away from the account's gets what was
// meant, not a permission the token has; nothing is purged.
func TestCLINamesASlipAway(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	vars := map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL + "/client/v4"}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--zone", "www.example.com"}, `error: zone "www.example.com" was not found: it is a host of the zone example.com; give zone example.com`},
		{[]string{"--zone", "exampel.com"}, `error: zone "exampel.com" was not found: did you mean example.com?` + "\n"},
		{[]string{"--zone", "other.org"}, `error: zone "other.org" was not found: the token sees only example.com; check the name, or give the zone ID` + "\n"},
		{[]string{"--zone", "example.com", "--environment", "Stagign"}, `error: environment "Stagign" is not in the zone: did you mean Staging? Its environments are: Production (ref `},
	} {
		r := h.cli(append(tt.args, "--files", "https://example.com/"), vars, "")
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stderr, "Zone Read") {
			t.Errorf("%q: exit %d, stderr:\n%s\nwant exit 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
	if n := h.purgeRequests(); n != 0 {
		t.Errorf("%d purges sent", n)
	}
}

// A wrong API path or a wrong token is named as such: api-url, the token.
func TestCLINamesAWrongPathOrToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	for _, tt := range []struct {
		name, token, apiURL, zone, want string
	}{
		{"a second v4", testToken, h.srv.URL + "/client/v4/v4", "example.com", "Cloudflare error 7000: No route for that URI. Cloudflare has no such API path: check api-url"},
		{"a second v4, zone id", testToken, h.srv.URL + "/client/v4/v4", emulator.ExampleZoneID, "Cloudflare error 7000: No route for that URI. Cloudflare has no such API path: check api-url"},
		{"a path past v4", testToken, h.srv.URL + "/client/v4/zones", "example.com", "Cloudflare has no such API path: check api-url"},
		{"an unknown token", "wRoNg-0123456789abcdefghijklmnopqrstuvwx", h.srv.URL + "/client/v4", "example.com", "If it has it, check the token itself: mistyped, expired or revoked?"},
	} {
		vars := map[string]string{"CLOUDFLARE_API_TOKEN": tt.token, "CLOUDFLARE_BASE_URL": tt.apiURL}
		r := h.cli([]string{"--zone", tt.zone, "--environment", "Staging", "--tags", "a"}, vars, "")
		if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit 1 and %q", tt.name, r.code, r.stderr, tt.want)
		}
	}
	if n := h.purgeRequests(); n != 0 {
		t.Errorf("%d purges sent", n)
	}
}

// A zone typo in the sandbox points at the sandbox's zone, not at a
// permission its token has.
func TestCLISandboxZoneTypo(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli([]string{"--sandbox", "--zone", "exmple.com", "--tags", "a"}, nil, "")
	if r.code != 2 || !strings.Contains(r.stderr, `error: zone "exmple.com" was not found: did you mean example.com?`) || strings.Contains(r.stderr, "Zone Read") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and example.com suggested", r.code, r.stderr)
	}
}

// A dry run that stops at the zone lookup does not claim a plan it never
// finished.
func TestDryRunStoppedClaimsNoPlan(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli([]string{"--sandbox", "--zone", "exmple.com", "--tags", "a", "--dry-run"}, nil, "")
	if r.code != 2 || strings.Contains(r.stdout, "Planned") || !strings.Contains(r.stdout, "Stopped before the plan was complete") {
		t.Errorf("exit %d, report:\n%s\nwant exit 2 and no plan claimed", r.code, r.stdout)
	}
}

// A dry run shows its plan: the items per environment, bounded, in the
// report, the JSON document and the action's log and summary.
func TestDryRunListsItsPlan(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	vars := map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL + "/client/v4", "CLOUDFLARE_ZONE_ID": emulator.ExampleZoneID}
	stdin := "css/app.css\n\"my file.css\"\n"
	r := h.cli([]string{"--environment", "Staging", "--base-url", "https://staging.example.com/site", "--files-from", "-", "--tags", "html", "--dry-run"}, vars, stdin)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, w := range []string{"  https://staging.example.com/site/css/app.css\n", "  https://staging.example.com/site/my%20file.css\n", "  tag html\n"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("report lacks %q:\n%s", w, r.stdout)
		}
	}
	r = h.cli([]string{"--environment", "Staging", "--base-url", "https://staging.example.com/site", "--files-from", "-", "--dry-run", "--json"}, vars, stdin)
	var doc result.Result
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"https://staging.example.com/site/css/app.css", "https://staging.example.com/site/my%20file.css"}, doc.Environments[0].Batches[0].Items); diff != "" {
		t.Errorf("the document's items (-want +got):\n%s", diff)
	}

	var urls []string
	for i := range 250 {
		urls = append(urls, fmt.Sprintf("https://example.com/%03d.js", i))
	}
	a := h.action(h.defaults(map[string]string{"environment": "Staging", "files": strings.Join(urls, "\n"), "dry-run": "true"}), nil)
	if a.code != 0 {
		t.Fatalf("exit %d\n%s", a.code, a.stdout)
	}
	for _, w := range []string{"  https://example.com/000.js\n", "  https://example.com/099.js\n", "  … and 150 more (the result output lists them all)\n"} {
		if !strings.Contains(a.stdout, w) {
			t.Errorf("log lacks %q", w)
		}
	}
	if strings.Contains(a.stdout, "https://example.com/100.js") {
		t.Errorf("the log lists more than 100 items")
	}
	for _, w := range []string{"<details><summary>Staging would purge 250 URLs</summary>", "- https\\://example\\.com/099\\.js\n", "- … and 150 more (see the `result` output)"} {
		if !strings.Contains(a.summary, w) {
			t.Errorf("summary lacks %q", w)
		}
	}
	if !strings.Contains(a.outputs["result"], "https://example.com/249.js") {
		t.Errorf("the result output does not list the plan's items")
	}
}

// Without a dry run the document lists only failed items, unless --list;
// --debug logs each request's items.
func TestCLIListAndDebugShowItems(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	vars := map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL + "/client/v4", "CLOUDFLARE_ZONE_ID": emulator.ExampleZoneID}
	items := func(args ...string) []string {
		r := h.cli(append([]string{"--tags", "a,b", "--json"}, args...), vars, "")
		var doc result.Result
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v\n%s", err, r.stdout)
		}
		return doc.Environments[0].Batches[0].Items
	}
	if got := items(); got != nil {
		t.Errorf("items without --list: %q", got)
	}
	if diff := cmp.Diff([]string{"a", "b"}, items("--list")); diff != "" {
		t.Errorf("items with --list (-want +got):\n%s", diff)
	}
	r := h.cli([]string{"--tags", "a,b", "--debug"}, vars, "")
	if !strings.Contains(r.stderr, "debug: request 1: 2 tags purged, id ") || !strings.Contains(r.stderr, "1 attempt: a b\n") {
		t.Errorf("--debug does not log the request's items:\n%s", r.stderr)
	}
}

// The outputs and the summary are written each on its own: one that
// cannot be written costs neither the other nor a refused run's exit code.
func TestOutputsAndSummaryWrittenIndependently(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	blocked := t.TempDir() // a directory: no file can be appended to it
	r := h.action(h.defaults(map[string]string{"tags": "a"}), map[string]string{"GITHUB_OUTPUT": blocked})
	if r.code != 1 || !strings.Contains(r.summary, "Cloudflare cache purge: done") || !strings.Contains(r.stdout, "::error::cannot write the outputs (GITHUB_OUTPUT)") {
		t.Errorf("exit %d (want 1), summary:\n%s\nstdout:\n%s", r.code, r.summary, r.stdout)
	}
	r = h.action(h.defaults(map[string]string{"tags": "a", "timeout": "soon"}), map[string]string{"GITHUB_OUTPUT": blocked})
	if r.code != 2 || !strings.Contains(r.summary, "timeout") {
		t.Errorf("refused run: exit %d (want 2), summary:\n%s", r.code, r.summary)
	}
	r = h.action(h.defaults(map[string]string{"tags": "a"}), map[string]string{"GITHUB_STEP_SUMMARY": blocked})
	if r.code != 1 || r.outputs["purged-count"] != "1" {
		t.Errorf("exit %d (want 1), outputs %v", r.code, r.outputs)
	}
}

// Plain http to another machine sends the token unencrypted: warned. (A
// dry run of Production with a zone ID sends nothing: no address is dialled.)
func TestPlainHTTPAPIURLWarned(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.action(h.defaults(map[string]string{"tags": "a", "api-url": "http://api.invalid/client/v4", "dry-run": "true"}), nil)
	if !strings.Contains(r.stdout, "::warning::api-url http://api.invalid/client/v4 is plain http to another machine") {
		t.Errorf("no warning:\n%s", r.stdout)
	}
	r = h.action(h.defaults(map[string]string{"tags": "a"}), nil)
	if strings.Contains(r.stdout, "plain http") {
		t.Errorf("a loopback api-url is warned about:\n%s", r.stdout)
	}
}

// A purge that needs more calls than the API-wide limit lets through
// before the deadline is refused before its first purge, with the numbers
// and what would fit: nothing is sent, nothing trips the limit's block.
func TestAPILimitRefusedBeforeThePurge(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{APILimit: emulator.APILimit{Quota: 10, Window: time.Minute}})
	var tags []string
	for i := range 3000 {
		tags = append(tags, fmt.Sprintf("t%d", i))
	}
	r := h.action(h.defaults(map[string]string{"tags": strings.Join(tags, ","), "timeout": "5s"}), nil)
	for _, want := range []string{"::error::this run cannot finish before its timeout, so nothing was sent", "30 purge requests", "Cloudflare's API-wide limit", "10 calls per 1m0s", "a timeout of", "at most 900 of its 3,000 items (9 of 30 requests)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("log lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 2 || r.outputs["failed-count"] != "3000" || h.purgeRequests() != 0 {
		t.Errorf("exit %d, failed-count %q, %d purges: want 2, 3000, none sent", r.code, r.outputs["failed-count"], h.purgeRequests())
	}
}

// A run that cannot finish is refused before its wait too: waiting for the
// new build would only cost the time.
func TestAPILimitRefusedBeforeTheWait(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{APILimit: emulator.APILimit{Quota: 10, Window: time.Minute}})
	var tags []string
	for i := range 3000 {
		tags = append(tags, fmt.Sprintf("t%d", i))
	}
	r := h.action(h.defaults(map[string]string{"tags": strings.Join(tags, ","), "timeout": "5s",
		"expect-header": "X-Build: v2", "wait": "4s", "wait-urls": "https://example.com/version"}), nil)
	if !strings.Contains(r.stdout, "::error::this run cannot finish before its timeout, so nothing was sent") || strings.Contains(r.stdout, "Waiting up to") {
		t.Errorf("want the refusal and no wait:\n%s", r.stdout)
	}
	if r.code != 2 || h.purgeRequests() != 0 || strings.Contains(r.outputs["result"], `"wait":`) {
		t.Errorf("exit %d, %d purges, result %s: want 2, none sent, no wait", r.code, h.purgeRequests(), r.outputs["result"])
	}
}

// A Free zone refills 5 tag requests a minute after a burst of 25: 3,000
// tags (30 requests) need a minute, which a 20 s timeout does not leave.
// The run is refused before it sends anything, saying the numbers.
func TestPurgeBudgetRefusedBeforeThePurge(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{Plan: emulator.PlanFree, RateLimits: true})
	var tags []string
	for i := range 3000 {
		tags = append(tags, fmt.Sprintf("t%d", i))
	}
	r := h.action(h.defaults(map[string]string{"zone": emulator.ExampleZoneName, "tags": strings.Join(tags, ","), "timeout": "20s"}), nil)
	for _, want := range []string{
		"::error::this run cannot finish before its timeout, so nothing was sent",
		"its 30 purge requests need at least 1m0s under the plan's purge budget for requests of tags, hosts, prefixes or everything (25 at once, then 5 per minute)",
		"timeout 20s leaves",
		"a timeout of 1m10s or more", "at most 2,600 of its 3,000 items (26 of 30 requests)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("log lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 2 || h.purgeRequests() != 0 || r.outputs["failed-count"] != "3000" {
		t.Errorf("exit %d, %d purges, failed-count %q: want 2, none sent, 3000", r.code, h.purgeRequests(), r.outputs["failed-count"])
	}
	// The same with time enough goes.
	h.em.Reset()
	r = h.action(h.defaults(map[string]string{"zone": emulator.ExampleZoneName, "tags": strings.Join(tags[:2500], ","), "timeout": "20s"}), nil)
	if r.code != 0 || h.purgeRequests() != 25 {
		t.Errorf("2,500 tags: exit %d, %d purges: want 0, 25\n%s", r.code, h.purgeRequests(), r.stdout)
	}
}

// A zone given by ID has its plan read before the purges, tags only too:
// the pacer's budget is the plan's, and a run it cannot let through in time
// is refused after that one read.
func TestPurgeBudgetFromTheZoneRead(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{Plan: emulator.PlanFree, RateLimits: true})
	var tags []string
	for i := range 3000 {
		tags = append(tags, fmt.Sprintf("t%d", i))
	}
	r := h.action(h.defaults(map[string]string{"tags": strings.Join(tags, ","), "timeout": "20s"}), nil)
	if !strings.Contains(r.stdout, "under the plan's purge budget for requests of tags, hosts, prefixes or everything (25 at once, then 5 per minute)") {
		t.Errorf("log lacks the plan's budget:\n%s", r.stdout)
	}
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	if diff := cmp.Diff([]string{zoneRead}, h.paths()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// A signal ends a run at any step, while its configuration is read too:
// files-from on a standard input that never ends does not hold the run,
// and the run says where it stopped.
func TestSignalDuringLoading(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	vars := map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL + "/client/v4", "CLOUDFLARE_ZONE_ID": emulator.ExampleZoneID}
	env, _, stderr := h.env([]string{"--files-from", "-"}, vars, "")
	stdin, w := io.Pipe() // never written, never closed
	defer w.Close()
	reading := make(chan struct{})
	env.Stdin = &firstRead{r: stdin, reading: reading}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- Main(ctx, env) }()
	// The signal comes while the run reads files-from, not before or after.
	select {
	case <-reading:
	case code := <-done:
		t.Fatalf("exit %d before reading files-from\n%s", code, stderr)
	case <-time.After(10 * time.Second):
		t.Fatal("the run never read files-from")
	}
	cancel() // SIGINT, as main's signal.NotifyContext delivers it
	select {
	case code := <-done:
		if code != ExitFailed || len(h.em.Requests()) != 0 || !strings.Contains(stderr.String(), "error: reading --files-from stopped at line 1: context canceled") {
			t.Errorf("exit %d after %d requests; want %d, none sent, and the read of files-from named as stopped\n%s", code, len(h.em.Requests()), ExitFailed, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not end on its signal while reading files-from")
	}
}

// firstRead is a reader that says when it is first read from.
type firstRead struct {
	r       io.Reader
	reading chan struct{}
	once    sync.Once
}

func (f *firstRead) Read(p []byte) (int, error) {
	f.once.Do(func() { close(f.reading) })
	return f.r.Read(p)
}
