package result_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	. "github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// TestErrorText: every error reads the same way everywhere: step and HTTP
// status where known, Cloudflare's code and message, then the hint, each
// said once.
func TestErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{
			"a refused zone lookup",
			&cloudflare.Error{Step: cloudflare.StepZoneLookup, Status: 403, Attempts: 1, Details: []cloudflare.Detail{{Code: 10000, Message: "Authentication error"}}},
			"zone lookup failed (HTTP 403): Cloudflare error 10000: Authentication error. The token needs the Zone > Zone Read permission on this zone (Cache Purge to purge; Zone Read to find a zone by name; Zone Versioning Read to find an environment by name). If it has it, check the token itself: mistyped, expired or revoked?",
		},
		{
			"a refused environments list",
			&cloudflare.Error{Step: cloudflare.StepEnvironments, Status: 403, Details: []cloudflare.Detail{{Code: 10000, Message: "Authentication error"}}},
			"environments list failed (HTTP 403): Cloudflare error 10000: Authentication error. The token needs the Zone > Zone Versioning Read permission on this zone (Cache Purge to purge; Zone Read to find a zone by name; Zone Versioning Read to find an environment by name). If it has it, check the token itself: mistyped, expired or revoked?",
		},
		{
			"a status without a body says it once",
			&cloudflare.Error{Step: cloudflare.StepPurge, Status: 502, Attempts: 6},
			"purge failed (HTTP 502)",
		},
		{
			"the network",
			&cloudflare.Error{Step: cloudflare.StepPurge, Attempts: 6, Err: errors.New("connection refused")},
			"purge failed: connection refused. Check api-url and the network; the request was tried 6 times with backoff.",
		},
		{
			"a configuration refusal is its message",
			fmt.Errorf("wrapped: %w", errors.New("plain")),
			"wrapped: plain",
		},
		{
			"invalid input keeps one problem per line",
			errors.Join(&config.InputError{Input: "files", Value: "ftp://x", Problem: "must be an http or https URL"}, &config.InputError{Input: "timeout", Value: "x", Problem: "is not a duration"}),
			"input files: \"ftp://x\": must be an http or https URL\ninput timeout: \"x\": is not a duration",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewError(tt.err)
			got := e.Text()
			if got != tt.want {
				t.Errorf("Text() = %q\nwant %q", got, tt.want)
			}
			if strings.Count(got, "Authentication error") > 1 {
				t.Errorf("Text() says it twice: %q", got)
			}
		})
	}
}

func TestErrorTextPunctuation(t *testing.T) {
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{Message: "Purge by URL is not allowed", Hint: "Use tags."}, "Purge by URL is not allowed. Use tags."},
		{Error{Message: "Purge by URL is not allowed.", Hint: "Use tags."}, "Purge by URL is not allowed. Use tags."},
		{Error{HTTPStatus: 400, Code: 1136, Message: "no"}, "HTTP 400: Cloudflare error 1136: no"},
		{Error{Step: "purge", Code: 1134, Message: "rate limited"}, "purge failed: Cloudflare error 1134: rate limited"},
		{Error{Hint: "Only a hint."}, "Only a hint."},
	} {
		if got := tt.e.Text(); got != tt.want {
			t.Errorf("%+v: Text() = %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestNewErrorKeepsTheStep(t *testing.T) {
	e := NewError(fmt.Errorf("resolving: %w", &cloudflare.Error{Step: cloudflare.StepEnvironments, Status: 500, Details: []cloudflare.Detail{{Code: 10002, Message: "Internal"}}}))
	want := Error{Kind: ErrorAPI, Step: "environments list", Code: 10002, Message: "Internal", HTTPStatus: 500}
	if *e != want {
		t.Errorf("NewError = %+v, want %+v", *e, want)
	}
}

func TestProblems(t *testing.T) {
	e := NewError(errors.Join(&config.InputError{Input: "zone", Problem: "is required"}, &config.InputError{Input: "timeout", Value: "x", Problem: "is not a duration"}))
	if got := e.Problems(); len(got) != 2 || got[0] != "input zone: is required" {
		t.Errorf("Problems() = %q", got)
	}
	if got := (&Error{Message: "one"}).Problems(); len(got) != 1 {
		t.Errorf("Problems() = %q", got)
	}
}

func TestStopError(t *testing.T) {
	run := NewError(&cloudflare.Error{Step: cloudflare.StepZoneLookup, Status: 403})
	stop := StopError(run)
	if !stop.IsStop() || run.IsStop() || (*Error)(nil).IsStop() {
		t.Errorf("IsStop: stop %v, run %v", stop.IsStop(), run.IsStop())
	}
	if stop.Kind != run.Kind {
		t.Errorf("a stopped batch's kind is %q, the run's %q", stop.Kind, run.Kind)
	}
	// A batch error that only looks like it, from the API, is not one.
	if (&Error{Kind: ErrorAPI, Step: "purge", Message: StoppedMessage}).IsStop() {
		t.Error("a purge error is not the run's stop")
	}
}

// Stop fails every batch not purged with the run's error, and leaves a dry
// run's plan as it was.
func TestStop(t *testing.T) {
	layout := func() []Environment {
		envs := Layout([]Environment{{Name: "Staging"}}, []Batch{{Kind: KindTags, Count: 100, Items: []string{"a"}}, {Kind: KindTags, Count: 50, Items: []string{"b"}}})
		envs[0].Batches[0].Status, envs[0].Batches[0].ID = Purged, "id"
		return envs
	}
	run := &Error{Kind: ErrorAPI, Step: "environments list", Message: "down"}
	r := &Result{Environments: layout()}
	r.Stop(run)
	want := []Batch{
		{Kind: KindTags, Count: 100, Status: Purged, ID: "id", Items: []string{"a"}},
		{Kind: KindTags, Count: 50, Status: Failed, Error: StopError(run), Items: []string{"b"}},
	}
	if diff := cmp.Diff(want, r.Environments[0].Batches); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	if r.Error != run {
		t.Errorf("the run's error is %+v, want %+v", r.Error, run)
	}
	dry := &Result{DryRun: true, Environments: layout()}
	dry.Stop(run)
	if diff := cmp.Diff(layout(), dry.Environments); diff != "" {
		t.Errorf("a dry run's batches changed (-want +got):\n%s", diff)
	}
}
