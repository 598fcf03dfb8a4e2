package report

import (
	"fmt"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// humanMaxItems bounds the failed items listed per request.
const humanMaxItems = 5

// Human is the CLI's report on standard output: per environment, the
// counts and every failed request, then the run's error. A run refused for
// its inputs sent nothing and has no counts: its report is the problems,
// one "Error:" line each.
func Human(r *result.Result) string {
	var b strings.Builder
	if r.Error != nil && r.Error.Kind == result.KindInput {
		for _, p := range r.Error.Problems() {
			fmt.Fprintf(&b, "Error: %s\n", p)
		}
		return b.String()
	}
	plain := func(s string) string { return s }
	zone := zoneLabel(r, plain, plain)
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
		case e.Endpoint == "" || e.Ref == "":
			where = "not resolved"
		}
		if r.DryRun {
			fmt.Fprintf(&b, "%s (%s): %s in %s\n", e.Name, where, kinds(e), Count(len(e.Batches), "request"))
		} else {
			fmt.Fprintf(&b, "%s (%s): %s: %s purged, %s failed, %s sent\n", e.Name, where, kinds(e), Number(e.PurgedCount), Number(e.FailedCount), Count(sent(e), "request"))
		}
		for i, bt := range e.Batches {
			if bt.Status != result.Failed || bt.Error == nil || bt.Error.IsStop() {
				continue
			}
			fmt.Fprintf(&b, "  request %d (%s) failed: %s\n", i+1, KindCount(bt.Count, bt.Kind), bt.Error.Text())
			items, more := firstN(bt.Items, humanMaxItems)
			for _, it := range items {
				fmt.Fprintf(&b, "    %s\n", it)
			}
			if more > 0 {
				fmt.Fprintf(&b, "    ... and %s more (--json lists them all)\n", Number(more))
			}
		}
	}
	if r.Error != nil {
		fmt.Fprintf(&b, "Error: %s\n", r.Error.Text())
	}
	if r.DryRun {
		fmt.Fprintf(&b, "Planned %s in %s (%dms).\n", Count(planned(r), "item"), Count(plannedRequests(r), "request"), r.DurationMS)
	} else {
		fmt.Fprintf(&b, "Purged %s, %s failed, in %s sent (%dms).\n", Count(r.PurgedCount, "item"), Number(r.FailedCount), Count(r.Requests, "request"), r.DurationMS)
	}
	return b.String()
}
