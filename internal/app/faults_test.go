package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// Backoff bounds of retry.Default: retry n waits a random time in
// [0, min(30s, 500ms*2^n)).
var backoffCap = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}

// geoZone is a zone whose "EU" environment selects traffic by country,
// where Cloudflare refuses purges by URL (1136).
const (
	geoZoneID = "4444444444444444444444444444444a"
	geoEURef  = "e0e0e0e0e0e0e0e0e0e0e0e0e0e0"
)

func addGeoZone(e *emulator.Emulator) {
	e.AddZone(emulator.Zone{
		ID: geoZoneID, Name: "geo.example", AccountID: emulator.ExampleAccountID, Versioning: true,
		Environments: []emulator.Environment{
			{Name: "Production", Ref: "f0f0f0f0f0f0f0f0f0f0f0f0f0f0", Expression: `(cf.zone.name eq "geo.example")`},
			{Name: "EU", Ref: geoEURef, Expression: `(cf.zone.name eq "geo.example" and ip.geoip.country in {"DE" "FR"})`},
		},
	})
}

// doc decodes the result output.
func doc(t *testing.T, r run) result.Result {
	t.Helper()
	var d result.Result
	if err := json.Unmarshal([]byte(r.outputs["result"]), &d); err != nil {
		t.Fatalf("result output is not JSON: %v\n%s", err, r.outputs["result"])
	}
	return d
}

// TestFaultMatrix injects every kind of fault into the purge of one batch
// (two tags, Production) and checks the attempts made, the waits honoured,
// what was purged and what the outputs, the result and the exit code say.
// max-retries is 2: a fault that lasts ends after exactly 3 attempts.
// How the client classifies one answer (retried or not, its error) is
// TestPurgeClassifies' job, in internal/cloudflare; a case here is a fault
// of the wire or of the account, run end to end.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	const purgePath = "/purge_cache"
	type want struct {
		attempts int
		purged   bool
		// waits: exact Retry-After waits, or nil to check backoff bounds
		// (one wait per retry).
		exactWaits []time.Duration
		// in the failed batch's error:
		code    int
		status  int
		message string
		hint    string
	}
	tests := []struct {
		name   string
		faults []emulator.Fault
		setup  func(*harness)
		inputs map[string]string
		want   want
	}{
		// Retried, then recovered.
		{name: "500 JSON once", faults: []emulator.Fault{{Kind: emulator.FaultStatus, Status: 500}},
			want: want{attempts: 2, purged: true}},
		{name: "502 JSON once", faults: []emulator.Fault{{Kind: emulator.FaultStatus, Status: 502}},
			want: want{attempts: 2, purged: true}},
		{name: "503 JSON twice", faults: []emulator.Fault{{Kind: emulator.FaultStatus, Status: 503, Times: 2}},
			want: want{attempts: 3, purged: true}},
		{name: "429 with Retry-After", faults: []emulator.Fault{{Kind: emulator.FaultRateLimited, RetryAfter: "7"}},
			want: want{attempts: 2, purged: true, exactWaits: []time.Duration{7 * time.Second}}},
		{name: "429 with Retry-After twice", faults: []emulator.Fault{{Kind: emulator.FaultRateLimited, RetryAfter: "3", Times: 2}},
			want: want{attempts: 3, purged: true, exactWaits: []time.Duration{3 * time.Second, 3 * time.Second}}},
		{name: "429 without Retry-After", faults: []emulator.Fault{{Kind: emulator.FaultRateLimited, Times: 2}},
			want: want{attempts: 3, purged: true}},
		{name: "connection reset", faults: []emulator.Fault{{Kind: emulator.FaultReset}},
			want: want{attempts: 2, purged: true}},
		{name: "hang past the request timeout", faults: []emulator.Fault{{Kind: emulator.FaultHang}},
			want: want{attempts: 2, purged: true}},
		{name: "HTML 502 page", faults: []emulator.Fault{{Kind: emulator.FaultHTML}},
			want: want{attempts: 2, purged: true}},
		// The purge budget's refusals are retried past max-retries (2 here)
		// while the timeout leaves time: the budget is the account's, shared
		// by every job purging on it, and contention must lose nothing.
		{name: "429 with Retry-After, more times than max-retries", faults: []emulator.Fault{{Kind: emulator.FaultRateLimited, RetryAfter: "2", Times: 3}},
			want: want{attempts: 4, exactWaits: []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second}, purged: true}},
		{name: "429 without Retry-After, more times than max-retries", faults: []emulator.Fault{{Kind: emulator.FaultRateLimited, Times: 3}},
			want: want{attempts: 4, purged: true}},
		{name: "200 success:false 1134, more times than max-retries", faults: []emulator.Fault{{Kind: emulator.FaultSuccessFalse, Code: 1134, Message: "Unable to purge, rate limit reached", Times: 3}},
			want: want{attempts: 4, purged: true}},

		// Retried until max-retries ran out: exactly 3 attempts, then failed.
		{name: "500 JSON for good", faults: []emulator.Fault{{Kind: emulator.FaultStatus, Status: 500, Times: 3}},
			want: want{attempts: 3, code: 10002, status: 500, message: "Internal Server Error"}},
		{name: "502 JSON for good", faults: []emulator.Fault{{Kind: emulator.FaultStatus, Status: 502, Times: 3}},
			want: want{attempts: 3, code: 10002, status: 502, message: "Bad Gateway"}},
		{name: "503 JSON for good", faults: []emulator.Fault{{Kind: emulator.FaultStatus, Status: 503, Times: 3}},
			want: want{attempts: 3, code: 10002, status: 503, message: "Service Unavailable"}},
		{name: "connection reset for good", faults: []emulator.Fault{{Kind: emulator.FaultReset, Times: 3}},
			want: want{attempts: 3, message: "EOF", hint: "Check api-url and the network"}},
		{name: "hang for good", faults: []emulator.Fault{{Kind: emulator.FaultHang, Times: 3}},
			want: want{attempts: 3, message: "no answer within the request timeout", hint: "Check api-url and the network"}},
		{name: "HTML 503 page for good", faults: []emulator.Fault{{Kind: emulator.FaultHTML, Status: 503, Times: 3}},
			want: want{attempts: 3, status: 503, message: "not Cloudflare JSON"}},
		{name: "truncated body for good", faults: []emulator.Fault{{Kind: emulator.FaultTruncated, Times: 3}},
			want: want{attempts: 3, status: 200, message: "not Cloudflare JSON"}},

		// Not retried: one attempt, failed.
		{name: "403 10000: token without Cache Purge",
			setup: func(h *harness) {
				h.em.AddToken(emulator.Token{Value: "readonly-token-0123456789abcdef", Permissions: []emulator.Permission{emulator.PermZoneRead, emulator.PermZoneVersioningRead}})
			},
			inputs: map[string]string{"api-token": "readonly-token-0123456789abcdef"},
			want:   want{attempts: 1, code: 10000, status: 403, message: "Authentication error", hint: "Zone > Cache Purge"}},
		{name: "400 1136: URL purge in an environment that selects by country",
			setup:  func(h *harness) { addGeoZone(h.em) },
			inputs: map[string]string{"zone": geoZoneID, "environment": "EU", "tags": "", "files": "https://geo.example/a.css https://geo.example/b.css"},
			want:   want{attempts: 1, code: 1136, status: 400, message: "selects traffic by IP address, country", hint: "purge it by tags, hosts, prefixes or purge-everything"}},
		{name: "404 7003: unknown zone id",
			inputs: map[string]string{"zone": "ffffffffffffffffffffffffffffffff"},
			want:   want{attempts: 1, code: 7003, status: 404, message: "Could not route", hint: "does not know that zone or environment id"}},
		{name: "400 6003/6103: a token given as the Global API key",
			inputs: map[string]string{"api-token": "", "api-key": testToken, "api-email": "me@example.com"},
			want:   want{attempts: 1, code: 6003, status: 400, message: "Invalid request headers", hint: "must be given as api-token, not api-key"}},
		{name: "400 1014", faults: []emulator.Fault{{Kind: emulator.FaultStatus, Status: 400, Code: 1014, Message: `"tags" must be an array`}},
			want: want{attempts: 1, code: 1014, status: 400, message: "must be an array", hint: "bug in the action"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			for _, f := range tt.faults {
				if f.Kind == emulator.FaultHang {
					// Each hang costs a request timeout, which must leave
					// every attempt room to reach the emulator (and the
					// good one after a hang to come back), also on a
					// slow, loaded machine: seconds, not milliseconds.
					h.RequestTimeout = 3 * time.Second
				}
			}
			if tt.setup != nil {
				tt.setup(h)
			}
			for _, f := range tt.faults {
				f.Method, f.PathContains = "POST", purgePath
				h.em.Inject(f)
			}
			in := h.defaults(map[string]string{"tags": "a,b", "max-retries": "2"})
			for k, v := range tt.inputs {
				in[k] = v
			}
			r := h.action(in, nil)
			w := tt.want

			if got := h.purgeRequests(); got != w.attempts {
				t.Errorf("purge attempts = %d, want %d\n%s", got, w.attempts, r.stdout)
			}
			waits := h.waits()
			if w.exactWaits != nil {
				if diff := cmp.Diff(w.exactWaits, waits); diff != "" {
					t.Errorf("waits (-want +got): Retry-After must be honoured exactly\n%s", diff)
				}
			} else {
				if len(waits) != w.attempts-1 {
					t.Errorf("waits %v: want one per retry (%d)", waits, w.attempts-1)
				}
				for i, d := range waits {
					if d < 0 || i < len(backoffCap) && d >= backoffCap[i] {
						t.Errorf("wait %d = %v, want backoff in [0, %v)", i, d, backoffCap[i])
					}
				}
			}

			// Every 429 pauses the run's other requests too (the pacer).
			n429 := 0
			for _, rq := range h.em.Requests() {
				if rq.Status == 429 {
					n429++
				}
			}
			h.mu.Lock()
			throttles := len(h.throttles)
			h.mu.Unlock()
			if n429 > 0 && throttles != n429 {
				t.Errorf("%d answers were 429 but the pacer was told %d times", n429, throttles)
			}

			d := doc(t, r)
			items := 2
			if tt.inputs["files"] != "" {
				items = len(strings.Fields(tt.inputs["files"]))
			}
			if len(d.Environments) != 1 || len(d.Environments[0].Batches) != 1 {
				t.Fatalf("result: want one environment with one batch: %s", r.outputs["result"])
			}
			b := d.Environments[0].Batches[0]
			if b.Attempts != w.attempts {
				t.Errorf("result batch attempts = %d, want %d", b.Attempts, w.attempts)
			}
			purges := h.em.Purges()
			if w.purged {
				if r.code != 0 || b.Status != result.Purged || b.ID == "" || b.Error != nil {
					t.Errorf("exit %d, batch %+v: want purged\n%s", r.code, b, r.stdout)
				}
				if len(purges) != 1 || purges[0].ID != b.ID || r.outputs["purge-ids"] != b.ID {
					t.Errorf("purges %+v, purge-ids %q: want the one accepted purge, id %s", purges, r.outputs["purge-ids"], b.ID)
				}
				if r.outputs["purged-count"] != fmt.Sprint(items) || r.outputs["failed-count"] != "0" {
					t.Errorf("purged-count %q failed-count %q, want %d and 0", r.outputs["purged-count"], r.outputs["failed-count"], items)
				}
				return
			}

			// Failed for good.
			if r.code != 1 {
				t.Errorf("exit %d, want 1\n%s", r.code, r.stdout)
			}
			if len(purges) != 0 {
				t.Errorf("purges %+v: want none accepted", purges)
			}
			if r.outputs["purged-count"] != "0" || r.outputs["failed-count"] != fmt.Sprint(items) || r.outputs["purge-ids"] != "" {
				t.Errorf("outputs %v: want 0 purged, %d failed, no purge id", r.outputs, items)
			}
			if d.PurgedCount != 0 || d.FailedCount != items {
				t.Errorf("result counts %d/%d, want 0/%d", d.PurgedCount, d.FailedCount, items)
			}
			if b.Status != result.Failed || b.Error == nil || b.ID != "" {
				t.Fatalf("batch %+v: want failed with an error", b)
			}
			if len(b.Items) != items {
				t.Errorf("failed batch lists %v: want its %d items", b.Items, items)
			}
			e := b.Error
			if e.Code != w.code || e.HTTPStatus != w.status || !strings.Contains(e.Message, w.message) || !strings.Contains(e.Hint, w.hint) {
				t.Errorf("batch error %+v\nwant code %d, http_status %d, message with %q, hint with %q", *e, w.code, w.status, w.message, w.hint)
			}
			// The log explains it: code, message and hint.
			var errLines []string
			for _, l := range strings.Split(r.stdout, "\n") {
				if strings.HasPrefix(l, "::error::") {
					errLines = append(errLines, l)
				}
			}
			log := strings.Join(errLines, "\n")
			for _, s := range []string{e.Message, e.Hint} {
				if s != "" && !strings.Contains(log, s) {
					t.Errorf("::error lines lack %q:\n%s", s, log)
				}
			}
			if w.code != 0 && !strings.Contains(log, fmt.Sprintf("Cloudflare error %d", w.code)) {
				t.Errorf("::error lines lack the code %d:\n%s", w.code, log)
			}
			// And so does the summary.
			if !strings.Contains(r.summary, "Failures") || (w.code != 0 && !strings.Contains(r.summary, fmt.Sprintf("Cloudflare error %d", w.code))) {
				t.Errorf("summary lacks the failure:\n%s", r.summary)
			}
		})
	}
}

// A batch that fails for good does not stop the others: the other
// environment's batches are purged, every item ends purged or failed, and
// the counts, result, summary and exit code agree.
func TestFailingEnvironmentAmongGoodOnes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	h.em.Inject(emulator.Fault{Kind: emulator.FaultStatus, Status: 500, Method: "POST", PathContains: emulator.DevelopmentRef, Times: 1000})
	var tags []string
	for i := range 250 { // 3 requests per environment: 100, 100, 50
		tags = append(tags, fmt.Sprintf("t%03d", i))
	}
	r := h.action(h.defaults(map[string]string{"environment": "Staging,Development", "tags": strings.Join(tags, ","), "max-retries": "1"}), nil)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stdout)
	}
	var staging []string
	for _, p := range h.em.Purges() {
		if p.EnvironmentRef != emulator.StagingRef {
			t.Errorf("purge accepted in %q", p.EnvironmentRef)
		}
		staging = append(staging, p.Items...)
	}
	slices.Sort(staging)
	if diff := cmp.Diff(tags, staging); diff != "" {
		t.Errorf("Staging's tags purged (-want +got):\n%s", diff)
	}
	if got := h.purgeRequests(); got != 3+3*2 {
		t.Errorf("purge requests = %d, want 3 for Staging and 3x2 for Development", got)
	}
	if r.outputs["purged-count"] != "250" || r.outputs["failed-count"] != "250" {
		t.Errorf("purged-count %q failed-count %q, want 250 and 250", r.outputs["purged-count"], r.outputs["failed-count"])
	}
	d := doc(t, r)
	var failed []string
	for _, e := range d.Environments {
		for _, b := range e.Batches {
			switch {
			case e.Name == "Staging" && b.Status != result.Purged:
				t.Errorf("Staging batch %+v not purged", b)
			case e.Name == "Development" && (b.Status != result.Failed || b.Error.Code != 10002 || b.Attempts != 2):
				t.Errorf("Development batch %+v: want failed after 2 attempts with code 10002", b)
			}
			failed = append(failed, b.Items...)
		}
	}
	slices.Sort(failed)
	if diff := cmp.Diff(tags, failed); diff != "" {
		t.Errorf("failed items in the result (-want +got):\n%s", diff)
	}
	if n := len(strings.Split(r.outputs["purge-ids"], ",")); n != 3 {
		t.Errorf("purge-ids %q: want Staging's 3", r.outputs["purge-ids"])
	}
	for _, w := range []string{"| Purged | 250 items |", "| Failed | 250 items |", "Development, request 1 (100 tags)", "Development, request 3 (50 tags)"} {
		if !strings.Contains(r.summary, strings.ReplaceAll(w, "Development", `Development`)) {
			t.Errorf("summary lacks %q:\n%s", w, r.summary)
		}
	}
}

// Within one environment too: whichever request meets the fault fails, the
// others are purged, and nothing is lost or counted twice.
func TestFailingBatchAmongGoodOnes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	h.em.Inject(emulator.Fault{Kind: emulator.FaultStatus, Status: 503, Method: "POST", PathContains: "/purge_cache"})
	var urls []string
	for i := range 100 { // 4 requests: 30, 30, 30, 10
		urls = append(urls, fmt.Sprintf("https://example.com/%03d.js", i))
	}
	r := h.action(h.defaults(map[string]string{"files": strings.Join(urls, "\n"), "max-retries": "0", "files-per-request": "30"}), nil)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stdout)
	}
	d := doc(t, r)
	var purged, failed []string
	nFailed := 0
	for _, p := range h.em.Purges() {
		purged = append(purged, p.Items...)
	}
	for _, b := range d.Environments[0].Batches {
		if b.Status == result.Failed {
			nFailed++
			failed = append(failed, b.Items...)
		}
	}
	if nFailed != 1 || h.purgeRequests() != 4 {
		t.Errorf("%d batches failed of %d requests: want 1 of 4", nFailed, h.purgeRequests())
	}
	all := append(slices.Clone(purged), failed...)
	slices.Sort(all)
	if diff := cmp.Diff(urls, all); diff != "" {
		t.Errorf("purged + failed must be every URL once (-want +got):\n%s", diff)
	}
	if r.outputs["purged-count"] != fmt.Sprint(len(purged)) || r.outputs["failed-count"] != fmt.Sprint(len(failed)) {
		t.Errorf("purged-count %q failed-count %q; emulator purged %d, result failed %d", r.outputs["purged-count"], r.outputs["failed-count"], len(purged), len(failed))
	}
}

// The run's timeout: what was purged before it is reported, the rest
// fails with a message saying the timeout ran out. The deadline is real
// time (a context), so each case takes the 3 s of its timeout: enough for
// Staging's purge on a slow, loaded machine.
func TestRunTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault emulator.Fault
		want  string // in Development's batch error
		code  int
	}{
		{"a hung request", emulator.Fault{Kind: emulator.FaultHang}, "not purged: the run's timeout ran out", 0},
		// Retry-After longer than the time left: the wait is cut short.
		{"a long Retry-After", emulator.Fault{Kind: emulator.FaultRateLimited, RetryAfter: "60"}, "more than the run's timeout left", 1134},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			h.RequestTimeout = time.Minute // the run's deadline comes first
			f := tt.fault
			f.Method, f.PathContains, f.Times = "POST", emulator.DevelopmentRef, 1000
			h.em.Inject(f)
			start := time.Now()
			r := h.actionIn(h.dir, h.defaults(map[string]string{"environment": "Staging,Development", "tags": "a,b,c", "timeout": "3s"}), nil, func(e *Env) {
				// Waits really happen, but only until the run's end.
				e.hooks.sleep = func(ctx context.Context, d time.Duration) error {
					<-ctx.Done()
					return ctx.Err()
				}
			})
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("the run took %v despite timeout: 3s", took)
			}
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s", r.code, r.stdout)
			}
			if r.outputs["purged-count"] != "3" || r.outputs["failed-count"] != "3" || r.outputs["purge-ids"] == "" {
				t.Errorf("outputs %v: want Staging's 3 purged, Development's 3 failed", r.outputs)
			}
			d := doc(t, r)
			for _, e := range d.Environments {
				b := e.Batches[0]
				switch e.Name {
				case "Staging":
					if b.Status != result.Purged {
						t.Errorf("Staging: %+v", b)
					}
				case "Development":
					if b.Status != result.Failed || b.Error == nil || !strings.Contains(b.Error.Message, tt.want) || b.Error.Code != tt.code || len(b.Items) != 3 || b.Attempts != 1 {
						t.Errorf("Development: %+v %+v: want failed after 1 attempt, %q, code %d, its items listed", b, b.Error, tt.want, tt.code)
					}
				}
			}
			named := func(s string) bool {
				return strings.Contains(s, "timeout ran out") || strings.Contains(s, "timeout left")
			}
			if !named(r.summary) || !named(r.stdout) {
				t.Errorf("summary and log must name the timeout:\n%s\n%s", r.summary, r.stdout)
			}
		})
	}
}

// The run's timeout during a lookup: nothing is purged, every item fails,
// and the message says the timeout ran out, with what to do.
func TestRunTimeoutDuringLookup(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	h.RequestTimeout = time.Minute
	h.em.Inject(emulator.Fault{Kind: emulator.FaultHang, Method: "GET", Times: 1000})
	r := h.action(h.defaults(map[string]string{"zone": "example.com", "tags": "a,b", "timeout": "1s"}), nil)
	if r.code != 1 || h.purgeRequests() != 0 || r.outputs["failed-count"] != "2" {
		t.Fatalf("exit %d, %d purges, failed-count %q\n%s", r.code, h.purgeRequests(), r.outputs["failed-count"], r.stdout)
	}
	d := doc(t, r)
	if d.Error == nil || !strings.Contains(d.Error.Message, "the run's timeout ran out") || !strings.Contains(d.Error.Hint, "Raise timeout") {
		t.Errorf("result error %+v: want the timeout named, with a hint", d.Error)
	}
}

// A lookup that times out or fails for good stops the run before its
// purges: every item ends failed, exit 1, and the log says why.
func TestLookupFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    emulator.Fault
		inputs   map[string]string
		requests int
		want     string
	}{
		{"zone lookup 500 for good", emulator.Fault{Kind: emulator.FaultStatus, Status: 500, Method: "GET", PathContains: "/zones", Times: 3},
			map[string]string{"zone": "example.com"}, 3, "zone lookup failed (HTTP 500)"},
		{"environments HTML 502 for good", emulator.Fault{Kind: emulator.FaultHTML, Method: "GET", PathContains: "/environments", Times: 3},
			map[string]string{"environment": "Staging"}, 3, "environments list failed (HTTP 502)"},
		// A broken answer is no refusal: it does not mean the zone lacks versioning.
		{"environments cut-off body for good", emulator.Fault{Kind: emulator.FaultTruncated, Method: "GET", PathContains: "/environments", Times: 3},
			map[string]string{"environment": "Staging"}, 3, "environments list failed (HTTP 200): the response was not Cloudflare JSON"},
		{"environments HTML 404 (a proxy)", emulator.Fault{Kind: emulator.FaultHTML, Status: 404, Method: "GET", PathContains: "/environments"},
			map[string]string{"environment": "Staging"}, 1, "environments list failed (HTTP 404): the response was not Cloudflare JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			h.em.Inject(tt.fault)
			in := h.defaults(map[string]string{"tags": "a,b", "max-retries": "2"})
			for k, v := range tt.inputs {
				in[k] = v
			}
			r := h.action(in, nil)
			if r.code != 1 || h.purgeRequests() != 0 || len(h.em.Requests()) != tt.requests {
				t.Errorf("exit %d, %d purges, %d requests: want 1, 0, %d\n%s", r.code, h.purgeRequests(), len(h.em.Requests()), tt.requests, r.stdout)
			}
			if r.outputs["failed-count"] != "2" || !strings.Contains(r.stdout, tt.want) {
				t.Errorf("failed-count %q; log lacks %q:\n%s", r.outputs["failed-count"], tt.want, r.stdout)
			}
		})
	}
}
