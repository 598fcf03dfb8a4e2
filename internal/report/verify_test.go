package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// verificationAtLimits is a run verified in envs environments of n URLs
// each, every check given by check(env, i).
func verificationAtLimits(envs, n int, check func(env, i int) result.URLCheck) *result.Result {
	r := &result.Result{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353", Verify: true}
	for k := range envs {
		e := result.Environment{Name: fmt.Sprintf("Env%02d", k), Ref: fmt.Sprintf("%030x", k), Endpoint: result.EndpointEnvironment}
		e.Batches = []result.Batch{{Kind: result.KindFiles, Count: n, Status: result.Purged, ID: fmt.Sprintf("%032x", k), Attempts: 1}}
		v := &result.Verification{Status: result.VerificationDone, Selector: "host env.example.com"}
		for i := range n {
			v.URLs = append(v.URLs, check(k, i))
		}
		e.Verification = v
		r.Environments = append(r.Environments, e)
	}
	r.Finish(0)
	return r
}

// checkBounds holds every report of r to GitHub's limits: each output and
// the summary within 1 MiB, the result output within MaxResultOutput and
// a document with every count, each log line short, and at most one
// warning per environment.
func checkBounds(t *testing.T, r *result.Result) {
	t.Helper()
	for _, o := range Outputs(r) {
		if len(o.Value) > 1<<20 {
			t.Errorf("output %s is %d bytes", o.Name, len(o.Value))
		}
		if o.Name == OutputResult {
			var doc result.Result
			if len(o.Value) > MaxResultOutput {
				t.Errorf("the result output is %d bytes, want at most %d", len(o.Value), MaxResultOutput)
			}
			if err := json.Unmarshal([]byte(o.Value), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Environments) != len(r.Environments) || doc.VerifiedCount != r.VerifiedCount || doc.StaleCount != r.StaleCount {
				t.Errorf("the result output lost counts: %d environments, %d verified, %d stale", len(doc.Environments), doc.VerifiedCount, doc.StaleCount)
			}
		}
	}
	if n := len(Summary(r)); n > 1<<20 {
		t.Errorf("the summary is %d bytes", n)
	}
	lines := Log(r)
	if n := len(texts(lines, Warning)); n > len(r.Environments) {
		t.Errorf("%d warnings for %d environments", n, len(r.Environments))
	}
	if len(lines) > len(r.Environments)*(logMaxChecks+10)+maxStaleLines+maxErrorLines+2 {
		t.Errorf("%d log lines", len(lines))
	}
	for _, l := range lines {
		if len(l.Text) > 3*logTextChars*4+1000 {
			t.Errorf("a log line of %d bytes", len(l.Text))
		}
	}
	if n := len(Human(r)); n > 16<<20 {
		t.Errorf("the CLI's report is %d bytes", n)
	}
}

// TestVerificationAtTheLimits: 50 environments x 1,000 verify-urls against
// a dead edge, and sites whose every text is as long as verify lets
// through (or longer): the outputs, the summary and the log stay bounded,
// with one warning per environment that counts its URLs.
func TestVerificationAtTheLimits(t *testing.T) {
	t.Parallel()
	dead := verificationAtLimits(50, 1000, func(env, i int) result.URLCheck {
		return result.URLCheck{URL: fmt.Sprintf("https://env%d.example.com/assets/%04d.css", env, i), Verdict: result.VerdictNotVerified, Attempts: 1,
			Reason: "could not fetch it: dial tcp 192.0.2.1:443: connect: connection refused"}
	})
	checkBounds(t, dead)
	warnings := texts(Log(dead), Warning)
	if want := "Env00: 1,000 of 1,000 URLs could not be checked; the first, https://env0.example.com/assets/0000.css: not verified: could not fetch it: dial tcp 192.0.2.1:443: connect: connection refused"; len(warnings) != 50 || warnings[0] != want {
		t.Errorf("%d warnings, the first %q; want 50, the first %q", len(warnings), warnings[0], want)
	}

	long := strings.Repeat("x", 500) // what verify keeps at most
	verdicts := []string{result.VerdictRedirect, result.VerdictStale, result.VerdictNotVerified, result.VerdictNotCached, result.VerdictVerified}
	hostile := verificationAtLimits(50, 1000, func(env, i int) result.URLCheck {
		return result.URLCheck{URL: "https://example.com/" + strings.Repeat("p", 2000) + fmt.Sprint(i), Verdict: verdicts[i%len(verdicts)], HTTPStatus: 301,
			CacheStatus: "HIT", Location: long, Reason: long, Attempts: 1}
	})
	checkBounds(t, hostile)

	// Texts far past verify's bounds, as if a site's text reached the
	// result some other way: 60 redirects with a 1 MB Location.
	huge := strings.Repeat("L", 1<<20)
	unbounded := verificationAtLimits(1, 60, func(_, i int) result.URLCheck {
		return result.URLCheck{URL: fmt.Sprintf("https://example.com/%d", i), Verdict: result.VerdictRedirect, HTTPStatus: 301, Location: huge, Reason: huge, CacheStatus: huge, Attempts: 1}
	})
	unbounded.Environments[0].Verification.Selector = huge
	checkBounds(t, unbounded)
}
