package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// deploySample is a run that waited, purged, found one URL purged too early
// (purged again, verified) and one the origin never deployed, and warmed.
func deploySample() *result.Result {
	r := &result.Result{
		ZoneID: "023e105f4ecef8ad9ca31a8372d0c353", ZoneName: "example.com", Verify: true, Warm: true, Expect: "X-Build: v2",
		Wait: &result.Wait{Status: result.WaitStatusReady, Expect: "X-Build: v2", LimitMS: 180000, DurationMS: 4700, Requests: 8, URLs: []result.WaitCheck{
			{Environment: "Staging", URL: "https://example.com/", State: result.WaitReady, AfterMS: 4700, Attempts: 4, HTTPStatus: 200, CacheStatus: "MISS", Seen: "X-Build: v2"},
			{Environment: "Staging", URL: "https://example.com/app.js", State: result.WaitReady, AfterMS: 2250, Attempts: 3, HTTPStatus: 200, CacheStatus: "MISS", Seen: "X-Build: v2"},
		}},
		Sitemap: &result.Sitemap{URL: "https://example.com/sitemap.xml", Pages: 3, Skipped: 1},
		Environments: []result.Environment{{
			Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment,
			Batches: []result.Batch{{Kind: "files", Count: 2, Status: result.Purged, ID: "aaaa0000000000000000000000000002", Attempts: 1}},
			Verification: &result.Verification{Status: result.VerificationDone, Selector: "edge IP 1.2.3.4 or 5.6.7.8",
				Repurge: &result.Repurge{URLs: []string{"https://example.com/"}, Status: result.Purged, ID: "aaaa0000000000000000000000000003"},
				URLs: []result.URLCheck{
					{URL: "https://example.com/", Verdict: result.VerdictVerified, HTTPStatus: 200, CacheStatus: "MISS", Attempts: 1, Seen: "X-Build: v2", Repurged: true},
					{URL: "https://example.com/app.js", Verdict: result.VerdictOutdated, HTTPStatus: 200, CacheStatus: "MISS", Attempts: 1, Seen: "X-Build: v1",
						Reason: "does not serve the new build (expected X-Build: v2)", OriginSeen: "X-Build: v1"},
				}},
			Warm: &result.Warm{Status: result.WarmDone, Selector: "edge IP 1.2.3.4 or 5.6.7.8", Requested: 4, WarmedCount: 3, FailedCount: 1,
				Failures: []result.WarmFailure{{URL: "https://example.com/old", HTTPStatus: 301, Reason: "a redirect (to /) is not followed; warm its destination"}}},
		}},
	}
	r.Finish(0)
	return r
}

func TestDeployReports(t *testing.T) {
	r := deploySample()
	golden(t, "summary-deploy.md", Summary(r))
	golden(t, "human-deploy.txt", Human(r))
	if r.OutdatedCount != 1 || r.WarmedCount != 3 || r.WarmFailedCount != 1 || r.Requests != 2 || OutcomeOf(r) != Failed {
		t.Errorf("outdated %d, warmed %d/%d failed, %d requests, outcome %v; want 1, 3/1, 2, Failed", r.OutdatedCount, r.WarmedCount, r.WarmFailedCount, r.Requests, OutcomeOf(r))
	}
	lines := Log(r)
	wantErr := "Staging: https://example.com/app.js does not serve the new build after the purge: it serves X-Build: v1 (HTTP 200, CF-Cache-Status MISS). " +
		"Its origin serves X-Build: v1: the deploy has not landed there; purge after it has (wait, expect-header)"
	if errs := texts(lines, Error); !slices.Equal(errs, []string{wantErr}) {
		t.Errorf("error lines %q, want %q", errs, wantErr)
	}
	if warns := texts(lines, Warning); len(warns) != 1 || !strings.Contains(warns[0], "https://example.com/old") {
		t.Errorf("warnings %q, want the one warm failure", warns)
	}
	infos := strings.Join(texts(lines, Info), "\n")
	for _, want := range []string{"Wait for the new build (X-Build: v2): ready after 4.7s, 8 requests", "Staging: https://example.com/app.js: ready after 2.3s (3 requests)",
		"purged once more (id aaaa0000000000000000000000000003)", "Staging: warmed 3 of 4 requests, 1 failed"} {
		if !strings.Contains(infos, want) {
			t.Errorf("the log lacks %q:\n%s", want, infos)
		}
	}
}

func TestWaitFailureReports(t *testing.T) {
	w := &result.Wait{Status: result.WaitStatusTimedOut, Expect: "X-Build: v2", Reason: "the wait (1m0s) ended before every URL served the new build", LimitMS: 60000, DurationMS: 60000, Requests: 2,
		URLs: []result.WaitCheck{
			{Environment: "Staging", URL: "https://example.com/", State: result.WaitNotReady, Attempts: 1, HTTPStatus: 200, CacheStatus: "MISS", Seen: "X-Build: v1"},
			{Environment: "Staging", URL: "https://example.com/a", State: result.WaitNotReady, Attempts: 1, Reason: "no answer within 10s"},
		}}
	r := &result.Result{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353", Wait: w, Environments: []result.Environment{{Name: "Staging", Endpoint: result.EndpointEnvironment,
		Batches: []result.Batch{{Kind: "files", Count: 2, Status: result.Planned}}}}}
	r.Stop(&result.Error{Kind: result.ErrorAPI, Step: "wait", Message: WaitErrorText(w)})
	r.Finish(0)
	golden(t, "summary-wait-failed.md", Summary(r))
	errs := texts(Log(r), Error)
	want := []string{
		"Staging: https://example.com/ did not serve the new build (X-Build: v2) within the wait: it served X-Build: v1 (HTTP 200, CF-Cache-Status MISS)",
		"Staging: https://example.com/a did not serve the new build (X-Build: v2) within the wait: it served nothing (no answer within 10s)",
	}
	if !slices.Equal(errs, want) {
		t.Errorf("errors %q, want %q", errs, want)
	}
	if r.FailedCount != 2 || OutcomeOf(r) != Failed {
		t.Errorf("failed %d, outcome %v", r.FailedCount, OutcomeOf(r))
	}
}

// A wait of 10 environments and 1,000 URLs (1.5 MB) still fits the result output.
func TestJSONBoundedWithALongWait(t *testing.T) {
	w := &result.Wait{Status: result.WaitStatusTimedOut, Expect: "X-Build: v2"}
	for e := range 10 {
		for u := range 1000 {
			state := result.WaitReady
			if u%2 == 0 {
				state = result.WaitNotReady
			}
			w.URLs = append(w.URLs, result.WaitCheck{Environment: "env-" + strings.Repeat("e", e), URL: "https://example.com/a/long/path/" + strings.Repeat("p", u%50), State: state, Attempts: 9, Seen: "X-Build: v1"})
		}
	}
	r := &result.Result{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353", Wait: w}
	r.Finish(0)
	b := JSONBounded(r, MaxResultOutput)
	if len(b) > MaxResultOutput || !strings.Contains(string(b), `"wait_omitted":true`) {
		t.Errorf("%d bytes (max %d), wait_omitted %v", len(b), MaxResultOutput, strings.Contains(string(b), `"wait_omitted":true`))
	}
}

// The line that ends a wait counts the URLs that served the new build,
// not those it did not wait for.
func TestWaitDoneLineCountsTheReadyURLs(t *testing.T) {
	t.Parallel()
	w := &result.Wait{Status: result.WaitStatusReady, DurationMS: 1500, Requests: 2, URLs: []result.WaitCheck{
		{State: result.WaitReady}, {State: result.WaitNotWaitable}, {State: result.WaitReady}, {State: result.WaitNotWaitable},
	}}
	if got, want := WaitDoneLine(w), "The new build is served: 2 URLs ready after 1.5s (2 requests); purging now"; got != want {
		t.Errorf("WaitDoneLine = %q, want %q", got, want)
	}
}
