// Package report renders a result.Result: the action's outputs, the job
// summary (Markdown), the CLI's human report, and the JSON document.
package report

import (
	"slices"
	"strconv"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// Output names, exactly as in action.yml.
const (
	OutputZoneID         = "zone-id"
	OutputEnvironmentRef = "environment-ref"
	OutputPurgeIDs       = "purge-ids"
	OutputPurgedCount    = "purged-count"
	OutputFailedCount    = "failed-count"
	OutputResult         = "result"
	OutputVerifiedCount  = "verified-count"
	OutputStaleCount     = "stale-count"
	OutputOutdatedCount  = "outdated-count"
	OutputWarmedCount    = "warmed-count"
)

// OutputNames lists the outputs in action.yml order.
var OutputNames = []string{OutputZoneID, OutputEnvironmentRef, OutputPurgeIDs, OutputPurgedCount, OutputFailedCount, OutputResult, OutputVerifiedCount, OutputStaleCount, OutputOutdatedCount, OutputWarmedCount}

// MaxResultOutput bounds the result output: GitHub limits what outputs
// may hold (1 MB), and purge-ids takes its share of a job's outputs too.
// Past it, JSONBounded slims the document (the counts stay).
const MaxResultOutput = 512 << 10

// Output is one output's name and value.
type Output struct{ Name, Value string }

// MaxPurgeIDsOutput bounds the purge-ids output under GitHub's 1 MB per
// output: about 27,000 ids, far more than any ordinary run sends.
const MaxPurgeIDsOutput = 900 << 10

// PurgeIDsShown is how many purge ids the purge-ids output lists: all of
// them unless they would pass MaxPurgeIDsOutput (the first ones, whole).
func PurgeIDsShown(r *result.Result) int {
	n := 0
	for i, id := range r.PurgeIDs {
		if n += len(id) + 1; n-1 > MaxPurgeIDsOutput {
			return i
		}
	}
	return len(r.PurgeIDs)
}

// Outputs are the action's outputs, in action.yml order.
func Outputs(r *result.Result) []Output {
	return []Output{
		{OutputZoneID, r.ZoneID},
		{OutputEnvironmentRef, strings.Join(r.EnvironmentRefs, ",")},
		{OutputPurgeIDs, strings.Join(r.PurgeIDs[:PurgeIDsShown(r)], ",")},
		{OutputPurgedCount, strconv.Itoa(r.PurgedCount)},
		{OutputFailedCount, strconv.Itoa(r.FailedCount)},
		{OutputResult, string(JSONBounded(r, MaxResultOutput))},
		{OutputVerifiedCount, strconv.Itoa(r.VerifiedCount)},
		{OutputStaleCount, strconv.Itoa(r.StaleCount)},
		{OutputOutdatedCount, strconv.Itoa(r.OutdatedCount)},
		{OutputWarmedCount, strconv.Itoa(r.WarmedCount)},
	}
}

// Outcome is what a run came to, from which the exit code follows.
type Outcome int

const (
	Succeeded Outcome = iota // everything purged, or a clean dry run
	Failed                   // a purge, a lookup, a permission, the network
	Refused                  // the configuration is wrong: nothing was sent
)

// OutcomeOf is the run's outcome.
func OutcomeOf(r *result.Result) Outcome {
	switch {
	case r.Refused():
		return Refused
	case r.Failed():
		return Failed
	}
	return Succeeded
}

// Count is "1 item" or "2 items", "100,000 items".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Number(n) + " " + noun + "s"
}

// Number writes n with thousands separators: 100,000.
func Number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// KindCount says how many items of a batch kind: "1 URL", "3 tags",
// "2 prefixes", "everything".
func KindCount(n int, kind result.Kind) string {
	switch kind {
	case result.KindFiles:
		return Count(n, "URL")
	case result.KindFilesWithHeaders:
		return Count(n, "URL") + " with headers"
	case result.KindTags:
		return Count(n, "tag")
	case result.KindHosts:
		return Count(n, "host")
	case result.KindPrefixes:
		if n == 1 {
			return "1 prefix"
		}
		return Number(n) + " prefixes"
	case result.KindEverything:
		return "everything"
	}
	return Number(n) + " " + string(kind)
}

// firstN is up to n of items, and how many more there are: reports list
// the first ones and say how many they left out.
func firstN[T any](items []T, n int) ([]T, int) {
	if len(items) <= n {
		return items, 0
	}
	return items[:n], len(items) - n
}

// named is r as the log and the lists of a run of several zones show it:
// each environment named with its zone ("example.org Staging"), for a
// line that stands alone. One zone's r is returned as it is. The copy
// shares the batches.
func named(r *result.Result) *result.Result {
	if !r.MultiZone() {
		return r
	}
	c := *r
	c.Environments = slices.Clone(r.Environments)
	for i := range c.Environments {
		e := &c.Environments[i]
		e.Name = zoneShort(r.ZoneOf(*e)) + " " + e.Name
	}
	return &c
}

// zoneShort names a zone in a few characters: its name, else its ID.
func zoneShort(z result.Zone) string {
	switch {
	case z.Name != "":
		return z.Name
	case z.ID != "":
		return z.ID
	}
	return "(zone not resolved)"
}

// zoneLabel names the zone for a report: "example.com (id)", the name or
// the ID alone, or "" when neither is known. name and id render each part.
func zoneLabel(r *result.Result, name, id func(string) string) string {
	if r.MultiZone() {
		labels := make([]string, len(r.Zones))
		for i, z := range r.Zones {
			if labels[i] = oneZoneLabel(z.Name, z.ID, name, id); labels[i] == "" {
				labels[i] = "not resolved"
			}
		}
		return strings.Join(labels, ", ")
	}
	return oneZoneLabel(r.ZoneName, r.ZoneID, name, id)
}

// oneZoneLabel is "example.com (id)", the name or the ID alone, or "".
func oneZoneLabel(zoneName, zoneID string, name, id func(string) string) string {
	switch {
	case zoneName != "" && zoneID != "":
		return name(zoneName) + " (" + id(zoneID) + ")"
	case zoneName != "":
		return name(zoneName)
	case zoneID != "":
		return id(zoneID)
	}
	return ""
}

// cut bounds s as result.Cut does, n characters kept before the ellipsis.
func cut(s string, n int) string { return result.Cut(s, n+1) }
