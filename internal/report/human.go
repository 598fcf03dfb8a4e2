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
		b.WriteString(envLine(r, e) + "\n")
		for i, bt := range e.Batches {
			if !bt.FailedOnItsOwn() {
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
