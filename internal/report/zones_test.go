package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// zonesSample is sample() over two zones: example.com's environments as
// sample's, and example.org's Staging, whose one request failed.
func zonesSample() *result.Result {
	r := sample()
	r.ZoneID, r.ZoneName = "023e105f4ecef8ad9ca31a8372d0c353,6b86b273ff34fce19d6b804eff5a3f57", ""
	r.Zones = []result.Zone{{ID: "023e105f4ecef8ad9ca31a8372d0c353", Name: "example.com"}, {ID: "6b86b273ff34fce19d6b804eff5a3f57", Name: "example.org"}}
	r.Environments = append(r.Environments, result.Environment{Zone: 1, Name: "Staging", Ref: "4e07408562bedb8b60ce05c1decfe3", Endpoint: result.EndpointEnvironment,
		Batches: []result.Batch{{Kind: "tags", Count: 2, Status: result.Failed, Attempts: 6,
			Error: &result.Error{Kind: result.ErrorAPI, Step: "purge", HTTPStatus: 502, Message: "HTTP 502"}, Items: []string{"html", "css"}}}})
	r.Finish(1234_000_000)
	return r
}

// A run of several zones: the summary, the CLI report and the log group
// the environments by zone; the document lists the zones.
func TestZonesGolden(t *testing.T) {
	r := zonesSample()
	golden(t, "summary-zones.md", Summary(r))
	golden(t, "human-zones.txt", Human(r))
	var log strings.Builder
	for _, l := range append(PlanLines(r), Log(r)...) {
		log.WriteString(l.Text + "\n")
	}
	golden(t, "log-zones.txt", log.String())

	dry := zonesSample()
	dry.DryRun = true
	for i := range dry.Environments {
		for j := range dry.Environments[i].Batches {
			b := &dry.Environments[i].Batches[j]
			b.Status, b.ID, b.Attempts, b.Error = result.Planned, "", 0, nil
		}
	}
	dry.Finish(0)
	golden(t, "summary-zones-dry-run.md", Summary(dry))
	golden(t, "human-zones-dry-run.txt", Human(dry))

	// Written piece by piece, the document of several zones is
	// json.Marshal's (a dry run lists every batch's items).
	if want, err := json.Marshal(dry); err != nil || string(JSON(dry)) != string(want) {
		t.Errorf("encoded:\n%s\njson.Marshal (%v):\n%s", JSON(dry), err, want)
	}

	var doc struct {
		ZoneID       string            `json:"zone_id"`
		Environments []json.RawMessage `json:"environments"`
		Zones        []result.Zone     `json:"zones"`
	}
	if err := json.Unmarshal(JSON(r), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Environments != nil || len(doc.Zones) != 2 || len(doc.Zones[0].Environments) != 2 || len(doc.Zones[1].Environments) != 1 ||
		doc.Zones[1].FailedCount != 2 || doc.Zones[0].PurgedCount != 32 || doc.ZoneID != r.ZoneID {
		t.Errorf("document: %s", JSON(r))
	}
	// Slimmed, it keeps the zones and their counts.
	slim := JSONBounded(r, 1500)
	if err := json.Unmarshal(slim, &doc); err != nil || len(doc.Zones) != 2 || doc.Zones[1].FailedCount != 2 || len(slim) > 1500 {
		t.Errorf("slimmed document (%d bytes, %v): %s", len(slim), err, slim)
	}
}
