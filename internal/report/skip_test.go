package report

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// skipped is a run without credentials that if-no-credentials skipped.
func skipped(quietly bool) *result.Result {
	r := &result.Result{Skipped: "no credentials <b>|`x`", SkipQuietly: quietly}
	r.Finish(0)
	return r
}

// TestSkippedReports: a skipped run says so everywhere, as a warning or,
// with ignore, a notice; its outputs are written and count nothing.
func TestSkippedReports(t *testing.T) {
	t.Parallel()
	golden(t, "summary-skipped.md", Summary(skipped(false)))
	golden(t, "summary-skipped-ignore.md", Summary(skipped(true)))
	golden(t, "human-skipped.txt", Human(skipped(false)))

	for _, tt := range []struct {
		quietly bool
		want    []Line
	}{
		{false, []Line{{Warning, "Skipped: no credentials <b>|`x`"}}},
		{true, []Line{{Notice, "Skipped: no credentials <b>|`x`"}}},
	} {
		if diff := cmp.Diff(tt.want, SkipLines(skipped(tt.quietly))); diff != "" {
			t.Errorf("SkipLines (quietly %v) (-want +got):\n%s", tt.quietly, diff)
		}
	}
	if got := SkipLines(sample()); got != nil {
		t.Errorf("SkipLines of a run that ran: %v", got)
	}
	if OutcomeOf(skipped(false)) != Succeeded {
		t.Errorf("a skipped run's outcome is %v; want Succeeded (exit 0)", OutcomeOf(skipped(false)))
	}

	got := map[string]string{}
	for _, o := range Outputs(skipped(false)) {
		got[o.Name] = o.Value
	}
	var doc struct {
		Skipped string `json:"skipped"`
		Purged  int    `json:"purged_count"`
	}
	if err := json.Unmarshal([]byte(got[OutputResult]), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Skipped == "" || got[OutputPurgedCount] != "0" || got[OutputFailedCount] != "0" {
		t.Errorf("outputs of a skipped run: %v", got)
	}
}
