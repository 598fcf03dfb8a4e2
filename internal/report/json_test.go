package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// marshalWhole is the document as json.Marshal makes it of the whole
// result, the items of batches that are not listed left out: what
// encode writes piece by piece.
func marshalWhole(t *testing.T, r *result.Result) string {
	t.Helper()
	c := *r
	c.Environments = nil
	if r.Environments != nil {
		c.Environments = make([]result.Environment, len(r.Environments))
	}
	for i, e := range r.Environments {
		if e.Batches != nil {
			bs := make([]result.Batch, len(e.Batches))
			for j, b := range e.Batches {
				if !r.DryRun && !r.ListItems && b.Status != result.Failed {
					b.Items = nil
				}
				bs[j] = b
			}
			e.Batches = bs
		}
		c.Environments[i] = e
	}
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestJSONIsMarshal: the document written piece by piece is byte for byte
// json.Marshal's of the whole, nulls and Markdown-like text included.
func TestJSONIsMarshal(t *testing.T) {
	t.Parallel()
	noBatches := sample()
	noBatches.Environments[0].Batches = nil
	noBatches.Environments[1].Name = `"batches":null <&> "urls":null`
	noEnvs := &result.Result{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353"}
	nilURLs := verifiedSample()
	nilURLs.Environments[0].Verification.URLs = nil
	listed := bigRun("Staging")
	listed.ListItems = true
	dry := sample()
	dry.DryRun = true
	waitOnly := &result.Result{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353", Wait: deploySample().Wait}
	nilWaitURLs := deploySample()
	nilWaitURLs.Wait.URLs = nil
	nilWaitURLs.Environments[0].Name = `"urls":null "environments":null`
	for name, r := range map[string]*result.Result{
		"sample": sample(), "stopped": stoppedSample(), "big": bigRun("Staging"), "listed": listed, "dry run": dry,
		"verified": verifiedSample(), "no batches": noBatches, "no environments": noEnvs, "nil checks": nilURLs,
		"deploy": deploySample(), "wait only": waitOnly, "nil wait URLs": nilWaitURLs,
	} {
		want := marshalWhole(t, r)
		if diff := cmp.Diff(want, string(JSON(r))); diff != "" {
			t.Errorf("%s: JSON (-marshal +got):\n%s", name, diff)
		}
		var w bytes.Buffer
		if err := WriteJSON(&w, r); err != nil || w.String() != want+"\n" {
			t.Errorf("%s: WriteJSON: %v, %d bytes, want %d", name, err, w.Len(), len(want)+1)
		}
		if got := JSONBounded(r, len(want)); string(got) != want {
			t.Errorf("%s: JSONBounded with room changed the document", name)
		}
		if strings.Contains(want, "omitted") {
			t.Errorf("%s: a whole document says something was omitted", name)
		}
	}
}

// TestJSONBoundedDeploy: the wait's, the second purge's and warming's
// entries go in their stages, flagged, and every bound at least the last
// stage's is kept; the document parses at every bound.
func TestJSONBoundedDeploy(t *testing.T) {
	t.Parallel()
	r := deploySample()
	seen := boundedStages(t, r, func(max int, b []byte, doc result.Result) string {
		e := doc.Environments[0]
		if doc.Wait == nil || e.Verification == nil || e.Verification.Repurge == nil || e.Warm == nil || doc.OutdatedCount != 1 || e.Warm.FailedCount != 1 {
			t.Fatalf("bound %d: a count or a part went: %s", max, b)
		}
		if (len(doc.Wait.URLs) < 2) != doc.WaitOmitted {
			t.Fatalf("bound %d: wait_omitted disagrees: %s", max, b)
		}
		return fmt.Sprintf("wait %d, checks %d, repurged %d, failures %d", len(doc.Wait.URLs), len(e.Verification.URLs), len(e.Verification.Repurge.URLs), len(e.Warm.Failures))
	})
	for _, want := range []string{
		"wait 2, checks 2, repurged 1, failures 1",
		"wait 0, checks 1, repurged 1, failures 1", // the ready ones and the verified check, then all with the batches
		"wait 0, checks 0, repurged 0, failures 1", // the other checks and the second purge's URLs
		"wait 0, checks 0, repurged 0, failures 0", // the stale ones and warm failures
	} {
		if !seen[want] {
			t.Errorf("stage %q never reached; seen %v", want, seen)
		}
	}
	if len(r.Wait.URLs) != 2 || len(r.Environments[0].Warm.Failures) != 1 || len(r.Environments[0].Verification.Repurge.URLs) != 1 {
		t.Error("JSONBounded changed the result it was given")
	}
}
