package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// Every text of a result is redacted, the wait's, the warming's and the
// sitemap's too, which a hand-written walk had missed.
func TestRedactResultReachesEveryField(t *testing.T) {
	t.Parallel()
	const s = "tok-0123456789abcdef"
	r := &result.Result{
		Expect:  "X-Build: " + s,
		Wait:    &result.Wait{Reason: s, Expect: s},
		Sitemap: &result.Sitemap{URL: "https://example.com/?k=" + s, Error: s},
		Error:   &result.Error{Kind: result.ErrorAPI, Message: s, Hint: s, Step: s},
		Environments: []result.Environment{{
			Name:         s,
			Batches:      []result.Batch{{Kind: result.KindFiles, Items: []string{"https://example.com/" + s}, Error: result.StopError(&result.Error{})}},
			Warm:         &result.Warm{Reason: s, Failures: []result.WarmFailure{{URL: s, Reason: s}}},
			Verification: &result.Verification{Reason: s, URLs: []result.URLCheck{{URL: s, Reason: s}}},
		}},
	}
	redactResult(redact.New(s), r)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), s) || strings.Count(string(b), redact.Mask) < 15 {
		t.Errorf("secret left or too few masks: %s", b)
	}
}
