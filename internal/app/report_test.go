package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// recLog records what a run logs, by level.
type recLog struct{ debug, info, errors []string }

func (l *recLog) Debugf(f string, a ...any)   { l.debug = append(l.debug, fmt.Sprintf(f, a...)) }
func (l *recLog) Infof(f string, a ...any)    { l.info = append(l.info, fmt.Sprintf(f, a...)) }
func (l *recLog) Warningf(f string, a ...any) {}
func (l *recLog) Errorf(f string, a ...any)   { l.errors = append(l.errors, fmt.Sprintf(f, a...)) }
func (l *recLog) Group(string)                {}
func (l *recLog) EndGroup()                   {}

// failedEnv is 100,000 URLs at 30 per request, every request failed with
// err.
func failedEnv(name string, err *result.Error) result.Environment {
	e := result.Environment{Name: name, Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment}
	for i := 0; i < 100_000; i += 30 {
		e.Batches = append(e.Batches, result.Batch{Kind: "files", Count: min(30, 100_000-i), Status: result.Failed, Attempts: 6, Error: err})
	}
	return e
}

// One ::error:: per distinct error per environment, with its counts, the
// most items first and at most 10; the detail per request at ::debug::.
func TestLogGroupsOneErrorPerDistinctError(t *testing.T) {
	network := &result.Error{Kind: result.KindAPI, Step: "purge", Message: "connection reset by peer", Hint: "Check api-url and the network; the request was retried with backoff."}
	r := &result.Result{Environments: []result.Environment{
		failedEnv("Staging", network),
		failedEnv("Development", network),
		{Name: "Preview", Ref: "49f0bad299687c62334182178bfd", Endpoint: result.EndpointEnvironment, Batches: []result.Batch{
			{Kind: "tags", Count: 100, Status: result.Purged, ID: "aaaa0000000000000000000000000001", Attempts: 1},
			{Kind: "files", Count: 30, Status: result.Failed, Attempts: 1, Error: &result.Error{Kind: result.KindAPI, Step: "purge", HTTPStatus: 400, Code: 1136, Message: "Purge by URL is not allowed"}},
			{Kind: "files", Count: 5, Status: result.Failed, Attempts: 1, Error: &result.Error{Kind: result.KindAPI, Step: "purge", HTTPStatus: 400, Code: 1136, Message: "Purge by URL is not allowed"}},
		}},
	}}
	r.Finish(0)
	var log recLog
	logGroups(&log, r)
	want := []string{
		"Staging: 3,334 requests (100,000 URLs) failed: purge failed: connection reset by peer. Check api-url and the network; the request was retried with backoff.",
		"Development: 3,334 requests (100,000 URLs) failed: purge failed: connection reset by peer. Check api-url and the network; the request was retried with backoff.",
		"Preview: 2 requests (35 URLs) failed: purge failed (HTTP 400): Cloudflare error 1136: Purge by URL is not allowed",
	}
	if strings.Join(log.errors, "\n") != strings.Join(want, "\n") {
		t.Errorf("::error lines:\n%s\nwant:\n%s", strings.Join(log.errors, "\n"), strings.Join(want, "\n"))
	}
	failedDebug := 0
	for _, l := range log.debug {
		if strings.Contains(l, " failed after ") {
			failedDebug++
		}
	}
	if failedDebug != 3334*2+2 {
		t.Errorf("%d ::debug lines for failed requests, want one per request (%d)", failedDebug, 3334*2+2)
	}
}

// Past 10 distinct errors, the 10th line sums up the rest: GitHub makes
// annotations of the first 10 only, and those are the ones that failed
// the most items.
func TestLogGroupsAtMostTenErrors(t *testing.T) {
	e := result.Environment{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment}
	for i := range 30 {
		// Each a message of its own (a network error naming its port), and
		// the later the bigger.
		e.Batches = append(e.Batches, result.Batch{Kind: "tags", Count: i + 1, Status: result.Failed, Attempts: 6,
			Error: &result.Error{Kind: result.KindAPI, Step: "purge", Message: fmt.Sprintf("read tcp 10.0.0.1:%d: connection reset by peer", 40000+i)}})
	}
	r := &result.Result{Environments: []result.Environment{e}}
	r.Finish(0)
	var log recLog
	logGroups(&log, r)
	if len(log.errors) != maxErrorLines {
		t.Fatalf("%d ::error lines, want %d:\n%s", len(log.errors), maxErrorLines, strings.Join(log.errors, "\n"))
	}
	if !strings.HasPrefix(log.errors[0], "Staging: 1 request (30 tags) failed: purge failed: read tcp 10.0.0.1:40029") {
		t.Errorf("first ::error is not the one that failed the most items: %s", log.errors[0])
	}
	// 21 left: 1 + 2 + ... + 21 tags.
	if want := "21 more requests (231 items) failed with 21 other errors"; !strings.HasPrefix(log.errors[9], want) {
		t.Errorf("last ::error %q, want it to start with %q", log.errors[9], want)
	}
}

// A run stopped before its purges says why once, with the step and the
// HTTP status, and nothing per batch: in the log, the summary and the
// outputs.
func TestStoppedRunReportsItsErrorOnce(t *testing.T) {
	t.Parallel()
	const noZoneRead = "NoZoneRead-0123456789abcdefghijklmnopqrs"
	h := newHarness(t, emulator.Options{})
	h.em.AddToken(emulator.Token{Value: noZoneRead, Permissions: []emulator.Permission{emulator.PermCachePurge, emulator.PermZoneVersioningRead}})
	var urls []string
	for i := range 100 {
		urls = append(urls, fmt.Sprintf("https://example.com/%d", i))
	}
	r := h.action(h.defaults(map[string]string{
		"api-token": noZoneRead, "zone": "example.com", "environment": "Staging,Development", "files": strings.Join(urls, "\n"), "max-retries": "0",
	}), nil)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stdout)
	}
	var errs []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, "::error") {
			errs = append(errs, l)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "zone lookup failed (HTTP 403): Cloudflare error 10000: Authentication error. The token needs the Zone > Zone Read permission") {
		t.Errorf("::error lines: want the lookup's error once, with step, status, code and hint:\n%s", strings.Join(errs, "\n"))
	}
	for _, w := range []string{"zone lookup failed \\(HTTP 403\\)\\: Cloudflare error 10000", "**Not purged** (200 items): Staging: 100 URLs; Development: 100 URLs.", "| Zone | example\\.com |", "| Staging | – | not resolved | 100 URLs | 0 | 0 | 100 |"} {
		if !strings.Contains(r.summary, w) {
			t.Errorf("summary lacks %q:\n%s", w, r.summary)
		}
	}
	for _, nw := range []string{"Failures", "not purged\\:", "()"} {
		if strings.Contains(r.summary, nw) {
			t.Errorf("summary has %q:\n%s", nw, r.summary)
		}
	}
	if r.outputs["failed-count"] != "200" || !strings.Contains(r.outputs["result"], `"step":"zone lookup"`) {
		t.Errorf("outputs: failed-count %q, result %.300s", r.outputs["failed-count"], r.outputs["result"])
	}
}

// Several invalid inputs: one ::error:: each, and a list in the summary.
func TestInvalidInputsListed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.action(h.defaults(map[string]string{"files": "ftp://x", "files-per-request": "0"}), nil)
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\n%s", r.code, r.stdout)
	}
	if n := strings.Count(r.stdout, "::error::"); n != 2 {
		t.Errorf("%d ::error lines, want 2:\n%s", n, r.stdout)
	}
	if !strings.Contains(r.summary, "> 2 problems with the inputs:\n>\n> - input files") || strings.Count(r.summary, "\n> - input ") != 2 {
		t.Errorf("summary does not list the problems:\n%s", r.summary)
	}
	if r.outputs["failed-count"] != "0" {
		t.Errorf("failed-count %q: nothing was parsed", r.outputs["failed-count"])
	}
}
