package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

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
