package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// TestIfNoCredentials runs the action without credentials, as a pull
// request from a fork does, under each if-no-credentials and a bad one:
// error refuses the run (exit 2); warn and ignore skip it (exit 0) with a
// warning or a notice, write the outputs and a summary that say so, and
// send nothing.
func TestIfNoCredentials(t *testing.T) {
	t.Parallel()
	type want struct {
		Code     int
		Command  string // the workflow command that says why
		Summary  string
		Skipped  bool
		Requests int
	}
	tests := []struct {
		mode string
		want want
	}{
		{"", want{Code: ExitConfig, Command: "::error::input api-token: no credentials", Summary: "failed"}},
		{"error", want{Code: ExitConfig, Command: "::error::input api-token: no credentials", Summary: "failed"}},
		{"warn", want{Code: ExitOK, Command: "::warning::Skipped: no credentials", Summary: "> [!WARNING]", Skipped: true}},
		{"ignore", want{Code: ExitOK, Command: "::notice::Skipped: no credentials", Summary: "> [!NOTE]", Skipped: true}},
		{"sometimes", want{Code: ExitConfig, Command: `::error::input if-no-credentials: "sometimes": must be error, warn or ignore`, Summary: "failed"}},
	}
	for _, tt := range tests {
		t.Run("mode "+tt.mode, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, emulator.Options{})
			inputs := map[string]string{
				config.InputAPIURL: h.srv.URL + "/client/v4",
				config.InputZone:   emulator.ExampleZoneName,
				config.InputFiles:  "https://example.com/",
			}
			if tt.mode != "" {
				inputs[config.InputIfNoCredentials] = tt.mode
			}
			r := h.action(inputs, nil)

			var doc struct {
				Skipped string `json:"skipped"`
			}
			if err := json.Unmarshal([]byte(r.outputs["result"]), &doc); err != nil {
				t.Fatalf("result output: %v\n%s", err, r.outputs["result"])
			}
			got := want{Code: r.code, Skipped: doc.Skipped != "", Requests: len(h.em.Requests())}
			if strings.Contains(r.stdout, tt.want.Command) {
				got.Command = tt.want.Command
			} else {
				got.Command = r.stdout
			}
			if strings.Contains(r.summary, tt.want.Summary) {
				got.Summary = tt.want.Summary
			} else {
				got.Summary = r.summary
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.want.Skipped {
				if !strings.Contains(r.summary, "skipped") || r.outputs["purged-count"] != "0" || r.outputs["failed-count"] != "0" {
					t.Errorf("a skipped run's summary and outputs:\n%s\n%v", r.summary, r.outputs)
				}
				if strings.Contains(r.stdout, "::error::") {
					t.Errorf("a skipped run logs an error:\n%s", r.stdout)
				}
			}
		})
	}
}

// TestIfNoCredentialsCLI: the flag, in the CLI.
func TestIfNoCredentialsCLI(t *testing.T) {
	t.Parallel()
	h := newHarness(t, emulator.Options{})
	r := h.cli([]string{"--zone", "example.com", "--files", "https://example.com/", "--api-url", h.srv.URL + "/client/v4", "--if-no-credentials", "warn"}, nil, "")
	if r.code != ExitOK || !strings.Contains(r.stderr, "warning: Skipped: no credentials") || !strings.Contains(r.stderr, "--if-no-credentials warn") || !strings.Contains(r.stdout, "SKIPPED") {
		t.Errorf("--if-no-credentials warn: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	r = h.cli([]string{"--zone", "example.com", "--files", "https://example.com/", "--if-no-credentials", "bad"}, nil, "")
	if r.code != ExitConfig || !strings.Contains(r.stderr, `--if-no-credentials: "bad"`) {
		t.Errorf("--if-no-credentials bad: exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	if n := len(h.em.Requests()); n != 0 {
		t.Errorf("%d requests sent; want none", n)
	}
}

// A run without credentials that warn or ignore would skip still has its
// inputs checked, the routing of several zones' items among them: an item
// of none of the zones is refused (exit 2), as it is with credentials, so
// that a pull request from a fork fails as its merge would.
func TestIfNoCredentialsStillRoutesZones(t *testing.T) {
	t.Parallel()
	for _, in := range []map[string]string{
		{config.InputFiles: "https://example.com/ https://example.net/x"},
		{config.InputTags: "html", config.InputVerify: "true", config.InputVerifyURLs: "https://example.net/x"},
	} {
		h := newHarness(t, emulator.Options{SecondZone: true})
		in[config.InputAPIURL] = h.srv.URL + "/client/v4"
		in[config.InputZone] = "example.com,example.org"
		in[config.InputIfNoCredentials] = "warn"
		r := h.action(in, nil)
		if r.code != ExitConfig || len(h.em.Requests()) != 0 || !strings.Contains(r.stdout, `"https://example.net/x": its host is in none of the zones (example.com, example.org)`) {
			t.Errorf("%v: exit %d, %d requests; want %d, none, the item refused\n%s", in, r.code, len(h.em.Requests()), ExitConfig, r.stdout)
		}
	}
	// Zones that are missing, or given by ID, route nothing yet: skipped.
	for _, zone := range []string{"", emulator.ExampleZoneID + "," + emulator.OrgZoneID} {
		h := newHarness(t, emulator.Options{SecondZone: true})
		r := h.action(map[string]string{config.InputZone: zone, config.InputFiles: "https://example.net/x", config.InputIfNoCredentials: "warn"}, nil)
		if r.code != ExitOK || !strings.Contains(r.stdout, "::warning::Skipped") {
			t.Errorf("zone %q: exit %d; want 0, skipped\n%s", zone, r.code, r.stdout)
		}
	}
}
