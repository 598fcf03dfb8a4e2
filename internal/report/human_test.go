package report

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// A run refused for its inputs sent nothing: it has no report, without
// totals that would read as a run; the log says each problem once.
func TestHumanInvalidInput(t *testing.T) {
	two := &result.Result{Error: result.NewError(errors.Join(
		&config.InputError{Input: "files", Value: "ftp://x", Problem: "must be an http or https URL"},
		&config.InputError{Input: "files-per-request", Value: "0", Problem: "must be a number from 1 to 500"},
	))}
	two.Finish(0)
	if got := Human(two); got != "" {
		t.Errorf("Human = %q, want nothing", got)
	}
	want := []Line{
		{Error, `input files: "ftp://x": must be an http or https URL`},
		{Error, `input files-per-request: "0": must be a number from 1 to 500`},
	}
	if diff := cmp.Diff(want, RunErrorLines(two.Error)); diff != "" {
		t.Errorf("RunErrorLines (-want +got):\n%s", diff)
	}
}
