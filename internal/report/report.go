// Package report renders a result.Result: the action's outputs, the job
// summary (Markdown), the CLI's human report, and the JSON document.
package report

import (
	"encoding/json"
	"fmt"
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
)

// OutputNames lists the outputs in action.yml order.
var OutputNames = []string{OutputZoneID, OutputEnvironmentRef, OutputPurgeIDs, OutputPurgedCount, OutputFailedCount, OutputResult}

// MaxResultOutput bounds the result output; past it, failed items are left
// out of it (the counts stay), since GitHub limits what outputs may hold.
const MaxResultOutput = 512 << 10

// Output is one output's name and value.
type Output struct{ Name, Value string }

// Outputs are the action's outputs, in action.yml order.
func Outputs(r *result.Result) []Output {
	return []Output{
		{OutputZoneID, r.ZoneID},
		{OutputEnvironmentRef, strings.Join(r.EnvironmentRefs, ",")},
		{OutputPurgeIDs, strings.Join(r.PurgeIDs, ",")},
		{OutputPurgedCount, strconv.Itoa(r.PurgedCount)},
		{OutputFailedCount, strconv.Itoa(r.FailedCount)},
		{OutputResult, string(JSONBounded(r, MaxResultOutput))},
	}
}

// JSON is the result document, as --json prints it.
func JSON(r *result.Result) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic(fmt.Sprintf("report: result does not marshal: %v", err)) // plain data: cannot happen
	}
	return b
}

// JSONBounded is the result document, without the failed items' lists when
// the whole would exceed max bytes.
func JSONBounded(r *result.Result, max int) []byte {
	b := JSON(r)
	if len(b) <= max {
		return b
	}
	slim := *r
	slim.ItemsOmitted = true
	slim.Environments = make([]result.Environment, len(r.Environments))
	for i, e := range r.Environments {
		e.Batches = append([]result.Batch(nil), e.Batches...)
		for j := range e.Batches {
			e.Batches[j].Items = nil
		}
		slim.Environments[i] = e
	}
	return JSON(&slim)
}

// Count is "1 item" or "2 items".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// KindCount says how many items of a batch kind: "1 URL", "3 tags",
// "2 prefixes", "everything".
func KindCount(n int, kind string) string {
	switch kind {
	case "files":
		return Count(n, "URL")
	case "files-with-headers":
		return Count(n, "URL") + " with headers"
	case "tags", "hosts":
		return Count(n, strings.TrimSuffix(kind, "s"))
	case "prefixes":
		if n == 1 {
			return "1 prefix"
		}
		return fmt.Sprintf("%d prefixes", n)
	case "purge-everything":
		return "everything"
	}
	return fmt.Sprintf("%d %s", n, kind)
}
