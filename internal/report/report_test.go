package report

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// sample is a run with a purged Production, a partly failed Staging and
// hostile user text.
func sample() *result.Result {
	r := &result.Result{
		ZoneID:   "023e105f4ecef8ad9ca31a8372d0c353",
		ZoneName: "example.com",
		Environments: []result.Environment{
			{Name: "Production", Endpoint: result.EndpointZone, Batches: []result.Batch{
				{Kind: "tags", Count: 2, Status: result.Purged, ID: "aaaa0000000000000000000000000001", Attempts: 1},
			}},
			{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment, Batches: []result.Batch{
				{Kind: "files", Count: 30, Status: result.Purged, ID: "aaaa0000000000000000000000000002", Attempts: 2},
				{Kind: "files", Count: 2, Status: result.Failed, Attempts: 1,
					Error: &result.Error{Kind: result.KindAPI, Code: 1136, HTTPStatus: 400, Message: "Purge by URL is not allowed", Hint: "Purge it by tags instead."},
					Items: []string{"https://example.com/<script>alert(1)</script>", "https://example.com/a|b`c`[x](javascript:alert(1))"}},
			}},
		},
	}
	r.Finish(1234_000_000)
	return r
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); if intended, run go test ./internal/report -update:\n%s", name, diff)
	}
}

func TestSummaryGolden(t *testing.T) {
	golden(t, "summary.md", Summary(sample()))

	dry := sample()
	dry.DryRun = true
	for i := range dry.Environments {
		for j := range dry.Environments[i].Batches {
			b := &dry.Environments[i].Batches[j]
			b.Status, b.ID, b.Attempts, b.Error, b.Items = result.Planned, "", 0, nil, nil
		}
	}
	dry.Finish(0)
	golden(t, "summary-dry-run.md", Summary(dry))

	stopped := &result.Result{Error: &result.Error{Kind: result.KindInput, Message: "input files: \"ftp://x\": must be an http or https URL"}}
	stopped.Finish(0)
	golden(t, "summary-invalid-input.md", Summary(stopped))
}

func TestHumanGolden(t *testing.T) {
	golden(t, "human.txt", Human(sample()))
}

func TestOutputs(t *testing.T) {
	r := sample()
	got := map[string]string{}
	for _, o := range Outputs(r) {
		got[o.Name] = o.Value
	}
	var doc result.Result
	if err := json.Unmarshal([]byte(got[OutputResult]), &doc); err != nil {
		t.Fatal(err)
	}
	delete(got, OutputResult)
	want := map[string]string{
		OutputZoneID:         "023e105f4ecef8ad9ca31a8372d0c353",
		OutputEnvironmentRef: "5d41402abc4b2a76b9719d911017c",
		OutputPurgeIDs:       "aaaa0000000000000000000000000001,aaaa0000000000000000000000000002",
		OutputPurgedCount:    "32",
		OutputFailedCount:    "2",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(r, &doc); diff != "" {
		t.Errorf("result output does not round-trip (-want +got):\n%s", diff)
	}
	var names []string
	for _, o := range Outputs(r) {
		names = append(names, o.Name)
	}
	if diff := cmp.Diff(OutputNames, names); diff != "" {
		t.Errorf("output names (-want +got):\n%s", diff)
	}
}

func TestJSONBoundedDropsItemsNotCounts(t *testing.T) {
	r := sample()
	small := JSONBounded(r, 100)
	var doc result.Result
	if err := json.Unmarshal(small, &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.ItemsOmitted || doc.FailedCount != 2 || doc.Environments[1].Batches[1].Items != nil {
		t.Errorf("bounded document: %s", small)
	}
	if r.Environments[1].Batches[1].Items == nil {
		t.Error("JSONBounded changed the result it was given")
	}
}

func TestSummaryStaysSmall(t *testing.T) {
	r := &result.Result{ZoneID: "023e105f4ecef8ad9ca31a8372d0c353"}
	e := result.Environment{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment}
	items := make([]string, 500)
	for i := range items {
		items[i] = "https://example.com/" + strings.Repeat("x", 80)
	}
	for range 200 {
		e.Batches = append(e.Batches, result.Batch{Kind: "files", Count: 500, Status: result.Failed, Items: items, Error: &result.Error{Message: strings.Repeat("m", 1000)}})
		e.Batches = append(e.Batches, result.Batch{Kind: "files", Count: 500, Status: result.Purged, ID: strings.Repeat("a", 32)})
	}
	r.Environments = []result.Environment{e}
	r.Finish(0)
	if n := len(Summary(r)); n > 256<<10 {
		t.Errorf("summary is %d bytes; GitHub's limit is 1 MiB and it must stay far below", n)
	}
	if n := len(JSONBounded(r, MaxResultOutput)); n > MaxResultOutput {
		t.Errorf("result output is %d bytes, want at most %d", n, MaxResultOutput)
	}
}
