package report

import (
	"fmt"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// humanMaxItems bounds the failed items listed per request.
const humanMaxItems = 5

// Human is the CLI's report on standard output: per environment, the
// counts and every failed request.
func Human(r *result.Result) string {
	var b strings.Builder
	zone := r.ZoneID
	if r.ZoneName != "" {
		zone = fmt.Sprintf("%s (%s)", r.ZoneName, r.ZoneID)
	}
	if r.DryRun {
		b.WriteString("DRY RUN: nothing was purged.\n")
	}
	if zone != "" {
		fmt.Fprintf(&b, "Zone: %s\n", zone)
	}
	for _, e := range r.Environments {
		where := "environment endpoint, ref " + e.Ref
		switch {
		case e.Endpoint == result.EndpointZone:
			where = "zone endpoint: purges every environment"
		case e.Ref == "":
			where = "not resolved"
		}
		fmt.Fprintf(&b, "%s (%s): %s in %s", e.Name, where, kinds(e), Count(len(e.Batches), "request"))
		if !r.DryRun {
			fmt.Fprintf(&b, ": %d purged, %d failed", e.PurgedCount, e.FailedCount)
		}
		b.WriteString("\n")
		for i, bt := range e.Batches {
			if bt.Status != result.Failed || bt.Error == nil || r.Error != nil {
				continue
			}
			fmt.Fprintf(&b, "  request %d (%s) failed: %s\n", i+1, KindCount(bt.Count, bt.Kind), bt.Error.Text())
			for j, it := range bt.Items {
				if j == humanMaxItems {
					fmt.Fprintf(&b, "    ... and %d more (--json lists them all)\n", len(bt.Items)-humanMaxItems)
					break
				}
				fmt.Fprintf(&b, "    %s\n", it)
			}
		}
	}
	if r.Error != nil {
		fmt.Fprintf(&b, "Error: %s\n", r.Error.Text())
	}
	if r.DryRun {
		fmt.Fprintf(&b, "Planned %s in %s (%dms).\n", Count(planned(r), "item"), Count(plannedRequests(r), "request"), r.DurationMS)
	} else {
		fmt.Fprintf(&b, "Purged %s, %d failed, in %s sent (%dms).\n", Count(r.PurgedCount, "item"), r.FailedCount, Count(r.Requests, "request"), r.DurationMS)
	}
	return b.String()
}
