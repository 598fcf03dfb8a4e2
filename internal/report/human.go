package report

import (
	"fmt"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// Human is the CLI's report on standard output.
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
		if e.Endpoint == result.EndpointZone {
			where = "zone endpoint: purges every environment"
		}
		fmt.Fprintf(&b, "%s (%s): %s\n", e.Name, where, kinds(e))
		for i, bt := range e.Batches {
			line := fmt.Sprintf("  request %d: %d %s: %s", i+1, bt.Count, bt.Kind, bt.Status)
			if bt.ID != "" {
				line += " " + bt.ID
			}
			if bt.Error != nil {
				line += ": " + errorText(bt.Error)
			}
			b.WriteString(line + "\n")
		}
	}
	if r.Error != nil {
		fmt.Fprintf(&b, "Error: %s\n", errorText(r.Error))
	}
	if r.DryRun {
		fmt.Fprintf(&b, "Planned %d items in %d requests (%dms).\n", planned(r), plannedRequests(r), r.DurationMS)
	} else {
		fmt.Fprintf(&b, "Purged %d items, %d failed, in %d requests (%dms).\n", r.PurgedCount, r.FailedCount, r.Requests, r.DurationMS)
	}
	return b.String()
}

func errorText(e *result.Error) string {
	s := e.Message
	if e.Code != 0 {
		s = fmt.Sprintf("Cloudflare error %d: %s", e.Code, s)
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}
