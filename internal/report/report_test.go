package report

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// sample is a run with a purged Production, a partly failed Staging and
// hostile user text.
func sample() *result.Result {
	r := &result.Result{
		ZoneID:   "023e105f4ecef8ad9ca31a8372d0c353",
		ZoneName: "example.com",
		Environments: []result.Environment{
			{Name: "Production", Endpoint: result.EndpointZone, Batches: []result.Batch{
				{Kind: "tags", Count: 2, Status: result.Purged, ID: "aaaa0000000000000000000000000001", Attempts: 1},
			}},
			{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment, Batches: []result.Batch{
				{Kind: "files", Count: 30, Status: result.Purged, ID: "aaaa0000000000000000000000000002", Attempts: 2},
				{Kind: "files", Count: 2, Status: result.Failed, Attempts: 1,
					Error: &result.Error{Kind: result.ErrorAPI, Step: "purge", Code: 1136, HTTPStatus: 400, Message: "Purge by URL is not allowed", Hint: "Purge it by tags instead."},
					Items: []string{"https://example.com/<script>alert(1)</script>", "https://example.com/a|b`c`[x](javascript:alert(1))"}},
			}},
		},
	}
	r.Finish(1234_000_000)
	return r
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); if intended, run go test ./internal/report -update:\n%s", name, diff)
	}
}

func TestSummaryGolden(t *testing.T) {
	golden(t, "summary.md", Summary(sample()))

	dry := sample()
	dry.DryRun = true
	for i := range dry.Environments {
		for j := range dry.Environments[i].Batches {
			b := &dry.Environments[i].Batches[j]
			b.Status, b.ID, b.Attempts, b.Error = result.Planned, "", 0, nil
			b.Items = nil
			for k := range b.Count {
				if b.Kind == result.KindTags {
					b.Items = append(b.Items, fmt.Sprintf("tag-%d", k))
				} else {
					b.Items = append(b.Items, fmt.Sprintf("https://example.com/assets/%d.css", k))
				}
			}
		}
	}
	dry.Finish(0)
	golden(t, "summary-dry-run.md", Summary(dry))

	invalid := &result.Result{Error: result.NewError(errors.Join(
		&config.InputError{Input: "files", Value: "ftp://x", Problem: "must be an http or https URL"},
		&config.InputError{Input: "files-per-request", Value: "0", Problem: "must be a number from 1 to 500"},
	))}
	invalid.Finish(0)
	golden(t, "summary-invalid-input.md", Summary(invalid))
	golden(t, "summary-stopped.md", Summary(stoppedSample()))

	// The budget leaves a summary of ordinary size as it is.
	if got, whole := Summary(sample()), summary(sample(), 1<<30); got != whole {
		t.Errorf("the budget changed an ordinary summary:\n%s", got)
	}
}

// stoppedSample is a run that stopped at the zone lookup: the token lacks
// Zone Read. Nothing was purged; no environment was resolved.
func stoppedSample() *result.Result {
	r := &result.Result{
		ZoneName: "example.com",
		Error: result.NewError(&cloudflare.Error{Step: cloudflare.StepZoneLookup, Status: 403, Attempts: 1,
			Details: []cloudflare.Detail{{Code: 10000, Message: "Authentication error"}}}),
	}
	stop := result.StopError(r.Error)
	for _, name := range []string{"Staging", "Development"} {
		r.Environments = append(r.Environments, result.Environment{Name: name, Batches: []result.Batch{
			{Kind: "files", Count: 30, Status: result.Failed, Error: stop, Items: []string{"https://example.com/a"}},
			{Kind: "files", Count: 2, Status: result.Failed, Error: stop, Items: []string{"https://example.com/b"}},
			{Kind: "tags", Count: 3, Status: result.Failed, Error: stop, Items: []string{"a", "b", "c"}},
		}})
	}
	r.Finish(0)
	return r
}

func TestHumanGolden(t *testing.T) {
	golden(t, "human.txt", Human(sample()))
	golden(t, "human-stopped.txt", Human(stoppedSample()))
}

func TestOutputs(t *testing.T) {
	r := sample()
	got := map[string]string{}
	for _, o := range Outputs(r) {
		got[o.Name] = o.Value
	}
	var doc result.Result
	if err := json.Unmarshal([]byte(got[OutputResult]), &doc); err != nil {
		t.Fatal(err)
	}
	delete(got, OutputResult)
	want := map[string]string{
		OutputZoneID:         "023e105f4ecef8ad9ca31a8372d0c353",
		OutputEnvironmentRef: "5d41402abc4b2a76b9719d911017c",
		OutputPurgeIDs:       "aaaa0000000000000000000000000001,aaaa0000000000000000000000000002",
		OutputPurgedCount:    "32",
		OutputFailedCount:    "2",
		OutputVerifiedCount:  "0",
		OutputStaleCount:     "0",
		OutputOutdatedCount:  "0",
		OutputWarmedCount:    "0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(r, &doc); diff != "" {
		t.Errorf("result output does not round-trip (-want +got):\n%s", diff)
	}
	var names []string
	for _, o := range Outputs(r) {
		names = append(names, o.Name)
	}
	if diff := cmp.Diff(OutputNames, names); diff != "" {
		t.Errorf("output names (-want +got):\n%s", diff)
	}
}

// boundedStages renders r under every bound from its whole size down to 0:
// each fits whenever the bound is at least the last stage's size and
// parses; stage checks the parsed document and names the stage it is in.
// It returns the stages seen.
func boundedStages(t *testing.T, r *result.Result, stage func(max int, b []byte, doc result.Result) string) map[string]bool {
	t.Helper()
	floor := len(JSONBounded(r, 0))
	seen := map[string]bool{}
	for max := len(JSON(r)); max >= 0; max-- {
		b := JSONBounded(r, max)
		if len(b) > max && max >= floor {
			t.Fatalf("bound %d: %d bytes", max, len(b))
		}
		var doc result.Result
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("bound %d: %v", max, err)
		}
		seen[stage(max, b, doc)] = true
	}
	return seen
}

// TestJSONBoundedStages: however small the bound, the document parses,
// keeps every count, flags what it left out, and fits whenever the bound
// is at least the last stage's size; each stage is reached on the way.
func TestJSONBoundedStages(t *testing.T) {
	t.Parallel()
	r := sample()
	r.Error = &result.Error{Kind: result.ErrorAPI, Message: strings.Repeat("long ", 400)}
	full := JSON(r)
	if got := JSONBounded(r, len(full)); string(got) != string(full) {
		t.Fatalf("a document within the bound changed:\n%s", got)
	}
	seen := boundedStages(t, r, func(max int, b []byte, doc result.Result) string {
		if doc.PurgedCount != 32 || doc.FailedCount != 2 || doc.Requests != 4 || len(doc.Environments) != 2 ||
			doc.Environments[1].PurgedCount != 30 || doc.Environments[1].FailedCount != 2 {
			t.Fatalf("bound %d: counts changed: %s", max, b)
		}
		batches, items := 0, 0
		for _, e := range doc.Environments {
			batches += len(e.Batches)
			for _, bt := range e.Batches {
				items += len(bt.Items)
			}
		}
		if (batches < 3) != doc.BatchesOmitted || (items < 2) != doc.ItemsOmitted || (len(doc.PurgeIDs) < 2) != doc.PurgeIDsOmitted {
			t.Fatalf("bound %d: flags disagree with what was left out: %s", max, b)
		}
		return fmt.Sprintf("batches %d, items %d, ids %d, error %d", batches, items, len(doc.PurgeIDs), len(doc.Error.Message))
	})
	want := []string{
		"batches 3, items 2, ids 2, error 2000",
		"batches 1, items 2, ids 2, error 2000", // 1: the purged batches go
		"batches 1, items 0, ids 2, error 2000", // 2: the failed items
		"batches 0, items 0, ids 2, error 2000", // 3: the failed batches
		"batches 0, items 0, ids 0, error 2000", // 4: purge_ids
		"batches 0, items 0, ids 0, error 1003", // 6: the run's error, cut (1,000 characters and "…")
		"batches 0, items 0, ids 0, error 203",  // 7: every text, cut (200 characters and "…")
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("stage %q never reached; seen %v", w, seen)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("stages %v, want %v", seen, want)
	}
	if r.Environments[1].Batches[1].Items == nil || len(r.Environments[0].Batches) != 1 || len(r.PurgeIDs) != 2 || len(r.Error.Message) != 2000 {
		t.Error("JSONBounded changed the result it was given")
	}
}

// bigRun is 100,000 URLs in 3 environments at 30 per request: 10,002
// requests. failing names the environments whose every request failed.
func bigRun(failing ...string) *result.Result {
	r := &result.Result{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353"}
	n := 0
	for _, name := range []string{"Production", "Staging", "Development"} {
		e := result.Environment{Name: name, Ref: fmt.Sprintf("%029x", len(name)), Endpoint: result.EndpointEnvironment}
		if name == "Production" {
			e.Ref, e.Endpoint = "", result.EndpointZone
		}
		fails := false
		for _, f := range failing {
			fails = fails || f == name
		}
		for i := 0; i < 100_000; i += 30 {
			count := min(30, 100_000-i)
			b := result.Batch{Kind: "files", Count: count, Status: result.Purged, Attempts: 1}
			if fails {
				b.Status, b.Attempts = result.Failed, 6
				b.Error = &result.Error{Kind: result.ErrorAPI, Step: "purge",
					Message: "Post \"https://api.cloudflare.com/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache\": read tcp 10.1.0.4:49152->104.19.192.29:443: read: connection reset by peer",
					Hint:    "Check api-url and the network; the request was retried with backoff."}
				for j := range count {
					b.Items = append(b.Items, fmt.Sprintf("https://www.example.com/assets/%06d/app.min.js", i+j))
				}
			} else {
				n++
				b.ID = fmt.Sprintf("%032x", n)
			}
			e.Batches = append(e.Batches, b)
		}
		r.Environments = append(r.Environments, e)
	}
	r.Finish(0)
	return r
}

// TestOutputsAtScale: a big run's result output fits GitHub's limit with
// its counts intact, and purge-ids (a plain list) stays under 1 MB.
func TestOutputsAtScale(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name                   string
		failing                []string
		purged, failed, ids    int
		batchesKept, itemsKept bool
	}{
		{"all purged", nil, 300_000, 0, 10_002, false, false},
		{"Staging failed", []string{"Staging"}, 200_000, 100_000, 6_668, false, false},
		{"all failed", []string{"Production", "Staging", "Development"}, 0, 300_000, 0, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := bigRun(tt.failing...)
			out := map[string]string{}
			for _, o := range Outputs(r) {
				out[o.Name] = o.Value
			}
			res := out[OutputResult]
			if len(res) > MaxResultOutput {
				t.Errorf("result output is %d bytes, want at most %d", len(res), MaxResultOutput)
			}
			if n := len(out[OutputPurgeIDs]); n >= 1_000_000 {
				t.Errorf("purge-ids is %d bytes: over GitHub's 1 MB", n)
			}
			t.Logf("result %d bytes, purge-ids %d bytes", len(res), len(out[OutputPurgeIDs]))
			var doc result.Result
			if err := json.Unmarshal([]byte(res), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.PurgedCount != tt.purged || doc.FailedCount != tt.failed || len(doc.PurgeIDs) != tt.ids || doc.Requests != r.Requests || len(doc.Environments) != 3 {
				t.Errorf("counts: purged %d failed %d ids %d requests %d, want %d %d %d %d",
					doc.PurgedCount, doc.FailedCount, len(doc.PurgeIDs), doc.Requests, tt.purged, tt.failed, tt.ids, r.Requests)
			}
			for i, e := range doc.Environments {
				if e.PurgedCount != r.Environments[i].PurgedCount || e.FailedCount != r.Environments[i].FailedCount {
					t.Errorf("%s: counts %d/%d, want %d/%d", e.Name, e.PurgedCount, e.FailedCount, r.Environments[i].PurgedCount, r.Environments[i].FailedCount)
				}
			}
			if !doc.BatchesOmitted || doc.PurgeIDsOmitted {
				t.Errorf("flags: batches_omitted %v purge_ids_omitted %v", doc.BatchesOmitted, doc.PurgeIDsOmitted)
			}
			if n := len(Summary(r)); n > 1<<20 {
				t.Errorf("summary is %d bytes", n)
			}
		})
	}
}

// 600 URLs of 3.5 KB each fail: each item shown is cut, and the summary
// stays far below GitHub's 1 MiB.
func TestSummaryCutsLongItems(t *testing.T) {
	r := &result.Result{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353"}
	e := result.Environment{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment}
	for i := range 20 {
		b := result.Batch{Kind: "files", Count: 30, Status: result.Failed, Attempts: 1,
			Error: &result.Error{Kind: result.ErrorAPI, Step: "purge", HTTPStatus: 400, Code: 1015, Message: strings.Repeat("<too long> ", 1000)}}
		for j := range 30 {
			b.Items = append(b.Items, fmt.Sprintf("https://example.com/%03d/%02d/", i, j)+strings.Repeat("a_b-c.d", 500))
		}
		e.Batches = append(e.Batches, b)
	}
	r.Environments = []result.Environment{e}
	r.Finish(0)
	sum := Summary(r)
	if len(sum) >= 1<<20 {
		t.Fatalf("summary is %d bytes", len(sum))
	}
	t.Logf("summary %d bytes", len(sum))
	for _, l := range strings.Split(sum, "\n") {
		if strings.HasPrefix(l, "  - https") && (len(l) > 2*summaryItemChars+20 || !strings.HasSuffix(l, "…")) {
			t.Fatalf("item not cut: %d bytes: %.100s", len(l), l)
		}
		if len(l) > 2*summaryTextChars*6 {
			t.Fatalf("line of %d bytes: %.100s", len(l), l)
		}
	}
	if !strings.Contains(sum, "Staging, request 20 (30 URLs)") || !strings.Contains(sum, "… and 10 more") {
		t.Errorf("summary lacks the failures:\n%.3000s", sum)
	}
}

// A budget that the sections do not fit in cuts the summary at a section's
// end, says so, and keeps it within the budget.
func TestSummaryBudget(t *testing.T) {
	r := sample()
	whole := summary(r, 1<<30)
	for _, budget := range []int{len(whole) - 1, len(whole) / 2, 600} {
		got := summary(r, budget)
		if len(got) > budget || !strings.HasSuffix(got, summaryCutNote) {
			t.Errorf("budget %d: %d bytes:\n%s", budget, len(got), got)
		}
		if !strings.HasPrefix(whole, strings.TrimSuffix(got, summaryCutNote)) {
			t.Errorf("budget %d: not a prefix of the whole summary:\n%s", budget, got)
		}
	}
}

// A run stopped before its purges shows its error once, with the step and
// the HTTP status, and no failure per batch.
func TestSummaryStoppedRun(t *testing.T) {
	sum := Summary(stoppedSample())
	for _, w := range []string{
		"zone lookup failed \\(HTTP 403\\)\\: Cloudflare error 10000\\: Authentication error\\. The token needs the Zone &gt; Zone Read permission",
		"**Not purged** (70 items): Staging: 32 URLs, 3 tags; Development: 32 URLs, 3 tags.",
		"| Zone | example\\.com |",
		"| Staging | – | not resolved | 32 URLs, 3 tags | 0 | 0 | 35 |",
	} {
		if !strings.Contains(sum, w) {
			t.Errorf("summary lacks %q:\n%s", w, sum)
		}
	}
	for _, nw := range []string{"Failures", result.StoppedMessage, "not purged\\:", "()", "Authentication error\\. Authentication error"} {
		if strings.Contains(sum, nw) {
			t.Errorf("summary has %q:\n%s", nw, sum)
		}
	}
}

func TestSummaryStaysSmall(t *testing.T) {
	r := &result.Result{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353"}
	e := result.Environment{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment}
	items := make([]string, 500)
	for i := range items {
		items[i] = "https://example.com/" + strings.Repeat("x", 80)
	}
	for range 200 {
		e.Batches = append(e.Batches, result.Batch{Kind: "files", Count: 500, Status: result.Failed, Items: items, Error: &result.Error{Message: strings.Repeat("m", 1000)}})
		e.Batches = append(e.Batches, result.Batch{Kind: "files", Count: 500, Status: result.Purged, ID: strings.Repeat("a", 32)})
	}
	r.Environments = []result.Environment{e}
	r.Finish(0)
	if n := len(Summary(r)); n > 256<<10 {
		t.Errorf("summary is %d bytes; GitHub's limit is 1 MiB and it must stay far below", n)
	}
	if n := len(JSONBounded(r, MaxResultOutput)); n > MaxResultOutput {
		t.Errorf("result output is %d bytes, want at most %d", n, MaxResultOutput)
	}
}

func TestPurgeIDsOutputIsBounded(t *testing.T) {
	r := &result.Result{}
	for i := range 40_000 {
		r.PurgeIDs = append(r.PurgeIDs, fmt.Sprintf("%032x", i))
	}
	shown := PurgeIDsShown(r)
	var value string
	for _, o := range Outputs(r) {
		if o.Name == OutputPurgeIDs {
			value = o.Value
		}
	}
	if len(value) > MaxPurgeIDsOutput || shown >= len(r.PurgeIDs) || strings.Count(value, ",") != shown-1 || !strings.HasSuffix(value, r.PurgeIDs[shown-1]) {
		t.Errorf("purge-ids: %d bytes, %d of %d ids shown; want at most %d bytes of whole ids", len(value), shown, len(r.PurgeIDs), MaxPurgeIDsOutput)
	}
	r.PurgeIDs = r.PurgeIDs[:100]
	if PurgeIDsShown(r) != 100 {
		t.Errorf("100 ids: %d shown, want all", PurgeIDsShown(r))
	}
}

// An invalidation reads as one everywhere: the title, the counts, the
// per-environment lines, the IDs.
func TestInvalidationSummaryGolden(t *testing.T) {
	done := sample()
	done.Invalidate = true
	st := &done.Environments[1]
	st.Batches = st.Batches[:1]
	st.Batches[0].Error = nil
	done.Finish(1234_000_000)
	golden(t, "summary-invalidate.md", Summary(done))
	golden(t, "human-invalidate.txt", Human(done))

	failed := sample()
	failed.Invalidate = true
	for i := range failed.Environments[1].Batches {
		if e := failed.Environments[1].Batches[i].Error; e != nil {
			e.Step = "invalidation"
		}
	}
	failed.Finish(1234_000_000)
	golden(t, "summary-invalidate-failed.md", Summary(failed))
	for _, s := range []string{Summary(done), Summary(failed), Human(done)} {
		if strings.Contains(strings.ToLower(s), "purged") || strings.Contains(s, "purges") {
			t.Errorf("an invalidation's report says purged:\n%s", s)
		}
	}
}

// verifiedSample is sample, verified: Production by its zone with a stale
// URL among others, Staging not verifiable.
func verifiedSample() *result.Result {
	r := sample()
	r.Verify = true
	age := func(n int) *int { return &n }
	r.Environments[0].Verification = &result.Verification{Status: result.VerificationDone, URLs: []result.URLCheck{
		{URL: "https://example.com/", Verdict: result.VerdictVerified, HTTPStatus: 200, CacheStatus: "MISS", Attempts: 1},
		{URL: "https://example.com/old", Verdict: result.VerdictRedirect, HTTPStatus: 301, Location: "https://example.com/", Attempts: 1},
		{URL: "https://example.com/api/x", Verdict: result.VerdictNotCached, HTTPStatus: 200, CacheStatus: "DYNAMIC", Attempts: 1},
		{URL: "https://example.com/css/app.css", Verdict: result.VerdictStale, HTTPStatus: 200, CacheStatus: "HIT", Age: age(3600), Attempts: 11, Reason: "HIT older than the purge after 10s of requests"},
		{URL: "https://example.com/down", Verdict: result.VerdictNotVerified, HTTPStatus: 502, Attempts: 1, Reason: "the site answered 502"},
	}}
	r.Environments[1].Verification = &result.Verification{Status: result.VerificationNotVerifiable, Reason: "selects by visitor country (ip.geoip.country), which a client cannot choose", URLs: []result.URLCheck{}}
	r.Finish(1234_000_000)
	return r
}

// A verification shows in every report: stale URLs first, an ::error::
// each; the environment that cannot be verified warned about; the counts
// in the outputs; a stale URL fails the run.
func TestVerificationReports(t *testing.T) {
	r := verifiedSample()
	golden(t, "summary-verify.md", Summary(r))
	golden(t, "human-verify.txt", Human(r))
	if r.VerifiedCount != 1 || r.StaleCount != 1 || OutcomeOf(r) != Failed {
		t.Errorf("verified %d, stale %d, outcome %v; want 1, 1, Failed", r.VerifiedCount, r.StaleCount, OutcomeOf(r))
	}
	lines := Log(r)
	wantErr := "Production: https://example.com/css/app.css is still served from a copy cached before the purge (HTTP 200, CF-Cache-Status HIT, Age 3600 s): " + staleHint
	if errs := texts(lines, Error); !slices.Contains(errs, wantErr) {
		t.Errorf("error lines %q lack %q", errs, wantErr)
	}
	wantWarn := []string{
		"Production: https://example.com/down: not verified (HTTP 502): the site answered 502",
		"Staging: not verifiable: selects by visitor country (ip.geoip.country), which a client cannot choose",
	}
	if diff := cmp.Diff(wantWarn, texts(lines, Warning)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	out := map[string]string{}
	for _, o := range Outputs(r) {
		out[o.Name] = o.Value
	}
	if out[OutputVerifiedCount] != "1" || out[OutputStaleCount] != "1" {
		t.Errorf("verified-count %q, stale-count %q", out[OutputVerifiedCount], out[OutputStaleCount])
	}
	slim := JSONBounded(r, 1200)
	var doc result.Result
	if err := json.Unmarshal(slim, &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.VerificationOmitted || doc.StaleCount != 1 {
		t.Errorf("a slimmed document: verification_omitted %v, stale_count %d", doc.VerificationOmitted, doc.StaleCount)
	}
}
