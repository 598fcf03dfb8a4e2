package app

// End-to-end tests of invalidate: true against the emulator.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

const (
	zoneI  = "POST /zones/" + zoneID + "/invalidate_cache"
	stageI = "POST /zones/" + zoneID + "/environments/" + emulator.StagingRef + "/invalidate_cache"
	devI   = "POST /zones/" + zoneID + "/environments/" + emulator.DevelopmentRef + "/invalidate_cache"
)

// invalidateCalls counts the requests to an invalidate_cache endpoint.
func (h *harness) invalidateCalls() int {
	n := 0
	for _, r := range h.em.Requests() {
		if strings.HasSuffix(r.Path, "/invalidate_cache") {
			n++
		}
	}
	return n
}

// userText is everything a user of the action reads: the log (but the
// debug lines, which show the API's paths), the summary and the outputs.
func (r run) userText() string {
	var b strings.Builder
	for _, l := range strings.Split(r.stdout, "\n") {
		if !strings.HasPrefix(l, "::debug::") && !strings.HasPrefix(l, "::add-mask::") {
			b.WriteString(l + "\n")
		}
	}
	b.WriteString(r.summary)
	return b.String()
}

// purgeWords are the words of a purge that an invalidation must not say of
// itself.
var purgeWords = regexp.MustCompile(`(?i)\bpurged\b|cache purge|purge ids|\bpurges\b`)

// checkSaysInvalidated checks that the log, the summary and the result
// document of a successful invalidation say invalidated, never purged.
func checkSaysInvalidated(t *testing.T, r run, count string) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.outputs["result"]), &doc); err != nil {
		t.Fatalf("result output is not JSON: %v", err)
	}
	if doc["invalidate"] != true {
		t.Errorf(`result document: "invalidate" = %v, want true`, doc["invalidate"])
	}
	if fmt.Sprint(doc["purged_count"]) != count {
		t.Errorf("result document: purged_count = %v, want %s", doc["purged_count"], count)
	}
	if !strings.Contains(r.summary, "## Cloudflare cache invalidation: done") {
		t.Errorf("summary's title does not say invalidation:\n%s", r.summary)
	}
	if !strings.Contains(r.summary, "| Invalidated | "+count+" item") {
		t.Errorf("summary does not count %s invalidated:\n%s", count, r.summary)
	}
	if !regexp.MustCompile(`(?m)^[^:].*: .*\b[0-9]+ invalidated, 0 failed, [0-9]+ requests? sent$`).MatchString(r.stdout) {
		t.Errorf("the log's environment lines do not say invalidated:\n%s", r.stdout)
	}
	if m := purgeWords.FindAllString(r.userText(), -1); len(m) > 0 {
		t.Errorf("an invalidation says %q of itself:\n%s", m, r.userText())
	}
}

// The CLI's report says invalidated too.
func TestInvalidateCLIReport(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli([]string{"--api-url", h.srv.URL + "/client/v4", "--zone", zoneID, "--environment", "Development", "--tags", "html,css", "--invalidate"},
		map[string]string{"CLOUDFLARE_API_TOKEN": testToken}, "")
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, w := range []string{"2 invalidated, 0 failed", "Invalidated 2 items"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("CLI report lacks %q:\n%s", w, r.stdout)
		}
	}
	if m := purgeWords.FindAllString(r.stdout, -1); len(m) > 0 {
		t.Errorf("the CLI report of an invalidation says %q:\n%s", m, r.stdout)
	}
	if diff := cmp.Diff([]string{envs, devI}, h.paths()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// A dry run resolves the environments and sends no invalidation.
func TestInvalidateDryRunSendsNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.action(h.defaults(map[string]string{"environment": "Staging", "invalidate": "true", "dry-run": "true",
		"files": "https://example.com/a.css", "tags": "html"}), nil)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	if diff := cmp.Diff([]string{zoneRead, envs}, h.paths()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if n := h.invalidateCalls() + h.purgeRequests(); n != 0 {
		t.Errorf("a dry run sent %d purge or invalidation requests", n)
	}
	if len(h.em.Invalidations()) != 0 || len(h.em.Purges()) != 0 {
		t.Errorf("a dry run was accepted: %v %v", h.em.Invalidations(), h.em.Purges())
	}
	if r.outputs["purged-count"] != "0" || r.outputs["environment-ref"] != emulator.StagingRef {
		t.Errorf("outputs: %v", r.outputs)
	}
	if !strings.Contains(r.stdout, "Dry run: no invalidation request sent") {
		t.Errorf("the log does not say no invalidation was sent:\n%s", r.stdout)
	}
	if !strings.Contains(strings.ToLower(r.summary), "dry run") || !strings.Contains(r.summary, "invalidation") {
		t.Errorf("summary not marked as a dry run of an invalidation:\n%s", r.summary)
	}
	// What it would invalidate is listed.
	for _, w := range []string{"https\\://example\\.com/a\\.css", "html"} {
		if !strings.Contains(r.summary, w) {
			t.Errorf("dry-run summary does not list %q:\n%s", w, r.summary)
		}
	}
}

// invalidate takes true or false only: anything else is an input error,
// before any request.
func TestInvalidateBadValueIsInputError(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"maybe", "yes", "1"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			r := h.action(h.defaults(map[string]string{"environment": "Staging", "tags": "html", "invalidate": v}), nil)
			if r.code != ExitConfig {
				t.Errorf("exit %d, want %d\n%s", r.code, ExitConfig, r.stdout)
			}
			if n := len(h.em.Requests()); n != 0 {
				t.Errorf("%d requests sent for invalid input: %v", n, h.paths())
			}
			var errLine string
			for _, l := range strings.Split(r.stdout, "\n") {
				if strings.HasPrefix(l, "::error") {
					errLine = l
					break
				}
			}
			if !strings.Contains(errLine, "invalidate") || !strings.Contains(errLine, `"`+v+`"`) {
				t.Errorf("::error:: line %q does not name the input and its value", errLine)
			}
		})
	}
}

// Cloudflare refuses URL invalidations in an environment that selects by
// country (1136); its tags are still invalidated, and the error explains.
func TestInvalidateURLsRefusedInCountryEnvironment(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	addGeoZone(h.em)
	r := h.action(h.defaults(map[string]string{"zone": geoZoneID, "environment": "EU", "invalidate": "true",
		"files": "https://geo.example/a.css https://geo.example/", "tags": "html"}), nil)
	if r.code != ExitFailed {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitFailed, r.stdout)
	}
	if r.outputs["purged-count"] != "1" || r.outputs["failed-count"] != "2" {
		t.Errorf("purged-count %q failed-count %q, want 1 and 2", r.outputs["purged-count"], r.outputs["failed-count"])
	}
	if n := h.purgeRequests(); n != 0 {
		t.Errorf("%d purge_cache requests in invalidate mode", n)
	}
	var kinds []string
	for _, p := range h.em.Invalidations() {
		kinds = append(kinds, p.EnvironmentRef+" "+p.Kind)
	}
	if diff := cmp.Diff([]string{geoEURef + " tags"}, kinds); diff != "" {
		t.Errorf("accepted invalidations (-want +got):\n%s", diff)
	}
	var errs []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, "::error") {
			errs = append(errs, l)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "1136") || !strings.Contains(errs[0], "EU") || !strings.Contains(errs[0], "country") ||
		!strings.Contains(errs[0], "invalidation failed") {
		t.Errorf("want one ::error:: naming EU, 1136 and the country rule, saying invalidation; got:\n%s", strings.Join(errs, "\n"))
	}
	var doc result.Result
	if err := json.Unmarshal([]byte(r.outputs["result"]), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Invalidate || len(doc.Environments) != 1 {
		t.Fatalf("result document: %s", r.outputs["result"])
	}
	var codes []string
	for _, b := range doc.Environments[0].Batches {
		c := 0
		if b.Error != nil {
			c = b.Error.Code
		}
		codes = append(codes, fmt.Sprintf("%s %s %d", b.Kind, b.Status, c))
	}
	if diff := cmp.Diff([]string{"files failed 1136", "tags purged 0"}, codes); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.summary, "## Cloudflare cache invalidation: failed") {
		t.Errorf("summary title:\n%s", r.summary)
	}
}

// The job summaries of an invalidation and of a failed one, end to end:
// each is the report of the run's own result document. How a summary
// reads is held by report's golden files, kept once, there.
func TestInvalidateSummariesEndToEnd(t *testing.T) {
	t.Parallel()
	t.Run("done", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.Options{})
		r := h.action(h.defaults(map[string]string{"environment": "Production, Staging", "invalidate": "true",
			"files": "https://example.com/ https://example.com/css/app.css", "tags": "html"}), nil)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stdout)
		}
		checkSummaryOfResult(t, r, "## Cloudflare cache invalidation: done", "| Invalidated | 6 items |", "| Requests sent | 4 |",
			"which invalidates **every environment** of the zone", "<details><summary>Invalidation IDs (4)</summary>")
	})
	t.Run("failed", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, emulator.Options{})
		addGeoZone(h.em)
		r := h.action(h.defaults(map[string]string{"zone": geoZoneID, "environment": "EU", "invalidate": "true",
			"files": "https://geo.example/a.css https://geo.example/<b>", "tags": "html"}), nil)
		if r.code != ExitFailed {
			t.Fatalf("exit %d\n%s", r.code, r.stdout)
		}
		checkSummaryOfResult(t, r, "## Cloudflare cache invalidation: failed", "| Invalidated | 1 item |", "| Failed | 2 items |",
			"- **EU, request 1 (2 URLs)**: invalidation failed \\(HTTP 400\\)\\: Cloudflare error 1136\\: ", "  - https\\://geo\\.example/&lt;b&gt;\n")
	})
}

// checkSummaryOfResult checks that the run's job summary is the report of
// its result output, and holds what the run must show.
func checkSummaryOfResult(t *testing.T, r run, want ...string) {
	t.Helper()
	d := doc(t, r)
	// The runner's file gets the summary and a line break.
	if diff := cmp.Diff(report.Summary(&d)+"\n", r.summary); diff != "" {
		t.Errorf("the summary is not the report of the result output (-report +written):\n%s", diff)
	}
	for _, w := range want {
		if !strings.Contains(r.summary, w) {
			t.Errorf("summary lacks %q:\n%s", w, r.summary)
		}
	}
}

// A run that stops before its invalidations (an unknown environment) says
// so of its batches in the result document: not invalidated.
func TestInvalidateStoppedSaysNotInvalidated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.action(h.defaults(map[string]string{"environment": "Nope", "invalidate": "true", "tags": "html"}), nil)
	if r.code != ExitConfig {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitConfig, r.stdout)
	}
	if n := h.invalidateCalls() + h.purgeRequests(); n != 0 {
		t.Errorf("%d purge or invalidation requests", n)
	}
	d := doc(t, r)
	if len(d.Environments) != 1 || len(d.Environments[0].Batches) != 1 {
		t.Fatalf("result document: %s", r.outputs["result"])
	}
	b := d.Environments[0].Batches[0]
	if b.Status != result.Failed || b.Error == nil || !strings.Contains(b.Error.Message, "not invalidated") || purgeWords.MatchString(b.Error.Message) {
		t.Errorf("the batch a stopped invalidation did not send: %+v", b.Error)
	}
	// Reports still leave it to the run's own error.
	if strings.Contains(r.summary, "### Failures") || !strings.Contains(r.summary, "**Not invalidated** (1 item)") {
		t.Errorf("summary:\n%s", r.summary)
	}
}
