package report

import (
	"fmt"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// humanMaxItems bounds the failed items listed per request; humanMaxPlanned
// the items a dry run lists per environment; humanMaxFailed the failed
// requests listed in all (a run of 200,000 URLs that fails is read by a
// person: the log groups its errors, --json lists every request).
const (
	humanMaxItems   = 5
	humanMaxPlanned = 20
	humanMaxFailed  = 20
)

// Human is the CLI's report on standard output: per environment, the
// counts, what a dry run would purge and what failed, then the totals.
// Errors are not repeated here: the log (standard error) says each once.
// A run refused for its inputs sent nothing and has no report.
func Human(r *result.Result) string {
	var b strings.Builder
	if r.Refused() && r.Error.Kind == result.ErrorInput {
		return ""
	}
	w := wordsOf(r)
	if r.Skipped != "" {
		return fmt.Sprintf("SKIPPED: nothing was %s (standard error says why).\n", w.past)
	}
	plain := func(s string) string { return s }
	zone := zoneLabel(r, plain, plain)
	if r.DryRun {
		fmt.Fprintf(&b, "DRY RUN: nothing was %s.\n", w.past)
	}
	if zone != "" && !r.MultiZone() {
		fmt.Fprintf(&b, "Zone: %s\n", zone)
	}
	if r.Wait != nil {
		fmt.Fprintf(&b, "Wait for the new build (%s): %s after %s\n", r.Wait.Expect, strings.ReplaceAll(r.Wait.Status, "_", " "), ms(r.Wait.DurationMS))
		shown, more := firstN(r.Wait.URLs, logMaxWaitURLs)
		for _, c := range shown {
			fmt.Fprintf(&b, "  %s: %s: %s\n", c.Environment, c.URL, waitCheckText(c))
		}
		if more > 0 {
			fmt.Fprintf(&b, "  ... and %s more (--json lists them all)\n", Number(more))
		}
	}
	listed, unlisted := 0, 0
	for i, e := range r.Environments {
		if r.MultiZone() && (i == 0 || e.Zone != r.Environments[i-1].Zone) {
			fmt.Fprintf(&b, "Zone: %s\n", r.ZoneOf(e).Label())
		}
		b.WriteString(envLine(r, e) + "\n")
		if r.DryRun {
			items, more := plannedItems(e, humanMaxPlanned)
			for _, it := range items {
				fmt.Fprintf(&b, "  %s\n", it)
			}
			if more > 0 {
				fmt.Fprintf(&b, "  ... and %s more (--json lists them all)\n", Number(more))
			}
		}
		b.WriteString(humanVerification(e, w))
		if e.Warm != nil && e.Warm.Status == result.WarmDone {
			fmt.Fprintf(&b, "  %s\n", strings.TrimPrefix(warmLine(e), e.Name+": "))
		}
		for i, bt := range e.Batches {
			if !bt.FailedOnItsOwn() {
				continue
			}
			if listed == humanMaxFailed {
				unlisted++
				continue
			}
			listed++
			fmt.Fprintf(&b, "  request %d (%s) failed (%s):\n", i+1, KindCount(bt.Count, bt.Kind), errorLabel(bt.Error))
			items, more := firstN(bt.Items, humanMaxItems)
			for _, it := range items {
				fmt.Fprintf(&b, "    %s\n", it)
			}
			if more > 0 {
				fmt.Fprintf(&b, "    ... and %s more (--json lists them all)\n", Number(more))
			}
		}
	}
	if unlisted > 0 {
		fmt.Fprintf(&b, "... and %s failed (the log groups their errors; --json lists them all)\n", Count(unlisted, "more request"))
	}
	switch {
	case r.DryRun && r.Error != nil:
		// A dry run that stopped (an unknown zone, a refused lookup) did
		// not finish its plan: the lines above are what was asked.
		fmt.Fprintf(&b, "Stopped before the plan was complete (%dms): standard error says why.\n", r.DurationMS)
	case r.DryRun:
		fmt.Fprintf(&b, "Planned %s in %s (%dms).\n", Count(planned(r), "item"), Count(plannedRequests(r), "request"), r.DurationMS)
	default:
		fmt.Fprintf(&b, "%s %s, %s failed, in %s sent (%dms).\n", w.Past, Count(r.PurgedCount, "item"), Number(r.FailedCount), Count(r.Requests, "request"), r.DurationMS)
		if r.Verify {
			fmt.Fprintf(&b, "Verified %s, %s stale", Count(r.VerifiedCount, "URL"), Number(r.StaleCount))
			if r.Expect != "" {
				fmt.Fprintf(&b, ", %s outdated", Number(r.OutdatedCount))
			}
			b.WriteString(".\n")
		}
		if r.Warm {
			fmt.Fprintf(&b, "Warmed %s, %s failed.\n", Count(r.WarmedCount, "request"), Number(r.WarmFailedCount))
		}
	}
	return b.String()
}

// errorLabel names an error briefly, for a report that points at the log
// for its whole text: "Cloudflare error 1136", "HTTP 502", "network".
func errorLabel(e *result.Error) string {
	switch {
	case e.Code != 0:
		return fmt.Sprintf("Cloudflare error %d", e.Code)
	case e.HTTPStatus != 0:
		return fmt.Sprintf("HTTP %d", e.HTTPStatus)
	}
	return "see the error above"
}
