package report

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// The summary's title and its table say the same: a run whose items all
// purged but whose verification found stale URLs is not titled "failed"
// above "Failed | 0 items".
func TestSummaryTitleAgreesWithTable(t *testing.T) {
	t.Parallel()
	r := &result.Result{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353", Verify: true, Environments: []result.Environment{
		{Name: "Production", Endpoint: result.EndpointZone, Batches: []result.Batch{{Kind: result.KindTags, Count: 1, Status: result.Purged, ID: "aaaa0000000000000000000000000001", Attempts: 1}},
			Verification: &result.Verification{URLs: []result.URLCheck{{URL: "https://example.com/", Verdict: result.VerdictStale, HTTPStatus: 200, CacheStatus: "HIT"}}}},
	}}
	r.Finish(0)
	s := Summary(r)
	if !strings.HasPrefix(s, "## Cloudflare cache purge: 1 URL stale\n") || !strings.Contains(s, "| Failed | 0 items |\n") || !strings.Contains(s, "| Stale | 1 URL |\n") {
		t.Errorf("summary:\n%s\nwant the title to name the stale URL, and 0 failed items", s)
	}
	r.Environments[0].Batches[0].Status, r.Environments[0].Batches[0].Error = result.Failed, &result.Error{Kind: result.KindAPI, Message: "x"}
	r.Finish(0)
	if s := Summary(r); !strings.HasPrefix(s, "## Cloudflare cache purge: failed\n") {
		t.Errorf("a failed item: summary:\n%s\nwant failed", s)
	}
}

// A run refused for its configuration sent nothing: its items are not sent,
// not failed.
func TestSummaryRefusedSentNothing(t *testing.T) {
	t.Parallel()
	r := &result.Result{ZoneName: "example.com", Error: result.NewError(&kindError{errors.New(`environment "Stagign" is not in the zone`)})}
	stop := result.StopError(r.Error)
	r.Environments = []result.Environment{{Name: "Stagign", Batches: []result.Batch{{Kind: result.KindTags, Count: 1, Status: result.Failed, Error: stop}}}}
	r.Finish(0)
	s := Summary(r)
	for _, w := range []string{"| Not sent | 1 item |\n| Requests sent | 0 |\n", "| Requests sent | Purged | Not sent |\n", "| Stagign | – | not resolved | 1 tag | 0 | 0 | 1 |\n"} {
		if !strings.Contains(s, w) {
			t.Errorf("summary lacks %q:\n%s", w, s)
		}
	}
	if strings.Contains(s, "| Failed |") {
		t.Errorf("summary has a Failed row or column:\n%s", s)
	}
}

type kindError struct{ error }

func (kindError) ErrorKind() string { return result.KindConfiguration }

// A failed request's items are folded as a dry run's are: open when few,
// in a collapsed section when many.
func TestSummaryFailuresFolded(t *testing.T) {
	t.Parallel()
	batch := func(n int) result.Batch {
		b := result.Batch{Kind: result.KindFiles, Count: n, Status: result.Failed, Attempts: 1, Error: &result.Error{Kind: result.KindAPI, Step: "purge", HTTPStatus: 400, Message: "no"}}
		for i := range n {
			b.Items = append(b.Items, fmt.Sprintf("https://example.com/%d", i))
		}
		return b
	}
	r := &result.Result{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353", Environments: []result.Environment{
		{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment, Batches: []result.Batch{batch(2), batch(30)}},
	}}
	r.Finish(0)
	s := Summary(r)
	want := "- **Staging, request 1 (2 URLs)**: purge failed \\(HTTP 400\\)\\: no\n  - https\\://example\\.com/0\n  - https\\://example\\.com/1\n" +
		"- **Staging, request 2 (30 URLs)**: purge failed \\(HTTP 400\\)\\: no\n\n  <details><summary>30 URLs</summary>\n\n  - https\\://example\\.com/0\n"
	if !strings.Contains(s, want) || !strings.Contains(s, "  - https\\://example\\.com/19\n  - … and 10 more\n\n  </details>\n") {
		t.Errorf("summary:\n%s\nwant the short list open and the long one folded", s)
	}
}
