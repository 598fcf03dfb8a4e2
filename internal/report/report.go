// Package report renders a result.Result: the action's outputs, the job
// summary (Markdown), the CLI's human report, and the JSON document.
package report

import (
	"strconv"
	"strings"
	"unicode/utf8"

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

// cut shortens s to n characters, marking the cut with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
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

// zoneLabel names the zone for a report: "example.com (id)", the name or
// the ID alone, or "" when neither is known. name and id render each part.
func zoneLabel(r *result.Result, name, id func(string) string) string {
	switch {
	case r.ZoneName != "" && r.ZoneID != "":
		return name(r.ZoneName) + " (" + id(r.ZoneID) + ")"
	case r.ZoneName != "":
		return name(r.ZoneName)
	case r.ZoneID != "":
		return id(r.ZoneID)
	}
	return ""
}
