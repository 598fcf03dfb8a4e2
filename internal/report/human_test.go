package report

import (
	"errors"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// A run refused for its inputs sent nothing: the report is its problems,
// one "Error:" line each, without totals that would read as a run.
func TestHumanInvalidInputGolden(t *testing.T) {
	two := &result.Result{Error: result.NewError(errors.Join(
		&config.InputError{Input: "files", Value: "ftp://x", Problem: "must be an http or https URL"},
		&config.InputError{Input: "files-per-request", Value: "0", Problem: "must be a number from 1 to 500"},
	))}
	two.Finish(0)
	golden(t, "human-invalid-input.txt", Human(two))

	one := &result.Result{Error: result.NewError(&config.InputError{Input: "timeout", Value: "0s", Problem: "must be positive"})}
	one.Finish(0)
	if got, want := Human(one), "Error: input timeout: \"0s\": must be positive\n"; got != want {
		t.Errorf("one problem: got %q, want %q", got, want)
	}
}
