package emulator_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// Options.History keeps the latest requests and purges, each, and drops
// the older ones: a long-running emulator stays bounded. 0 keeps all.
func TestHistory(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		history, purges int
		wantTags        []string // of the purges kept, in order
		wantRequests    int
	}{
		{history: 0, purges: 6, wantTags: []string{"t0", "t1", "t2", "t3", "t4", "t5"}, wantRequests: 7},
		{history: 3, purges: 6, wantTags: []string{"t3", "t4", "t5"}, wantRequests: 3},
		{history: 10, purges: 6, wantTags: []string{"t0", "t1", "t2", "t3", "t4", "t5"}, wantRequests: 7},
		{history: 1, purges: 2, wantTags: []string{"t1"}, wantRequests: 1},
	} {
		t.Run(fmt.Sprint(tt.history), func(t *testing.T) {
			t.Parallel()
			e := emulator.New(emulator.Options{History: tt.history})
			for i := range tt.purges {
				if status, _ := purgeStatus(t, e, examplePurge, fmt.Sprintf(`{"tags":["t%d"]}`, i)); status != http.StatusOK {
					t.Fatalf("purge %d: status %d", i, status)
				}
			}
			// A refused request counts as a request, not a purge.
			serve(t, e, newRequest("GET", "/client/v4/zones/"+unknownZoneID+"/environments", "", nil), false)

			var tags []string
			for _, p := range e.Purges() {
				tags = append(tags, p.Items...)
			}
			if diff := cmp.Diff(tt.wantTags, tags); diff != "" {
				t.Errorf("purges kept (-want +got):\n%s", diff)
			}
			reqs := e.Requests()
			if len(reqs) != tt.wantRequests {
				t.Fatalf("%d requests kept, want %d", len(reqs), tt.wantRequests)
			}
			// The latest come last, with their status and body.
			last := reqs[len(reqs)-1]
			if last.Method != "GET" || last.Status != http.StatusNotFound {
				t.Errorf("last request kept: %s %s %d", last.Method, last.Path, last.Status)
			}
			if len(reqs) > 1 {
				if b := reqs[len(reqs)-2].Body; string(b) != fmt.Sprintf(`{"tags":["t%d"]}`, tt.purges-1) {
					t.Errorf("last purge request's body: %s", b)
				}
			}
		})
	}
}
