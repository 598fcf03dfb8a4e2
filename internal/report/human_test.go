package report

import (
	"errors"
	"fmt"
	"strings"
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

// A big run that fails lists a bounded number of its failed requests: the
// log groups the errors, --json has every request.
func TestHumanListsBoundedFailures(t *testing.T) {
	e := result.Environment{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c", Endpoint: result.EndpointEnvironment}
	for i := range 400 {
		e.Batches = append(e.Batches, result.Batch{Kind: result.KindFiles, Count: 500, Status: result.Failed, Attempts: 1,
			Items: []string{fmt.Sprintf("https://example.com/%d", i)},
			Error: &result.Error{Kind: result.KindAPI, Step: "purge", HTTPStatus: 429, Code: 1134, Message: "rate limited"}})
	}
	r := &result.Result{Environments: []result.Environment{e}}
	r.Finish(0)
	out := Human(r)
	if n := strings.Count(out, "  request "); n != humanMaxFailed {
		t.Errorf("%d failed requests listed, want %d:\n%s", n, humanMaxFailed, out)
	}
	if want := "... and 380 more requests failed"; !strings.Contains(out, want) {
		t.Errorf("report does not count the requests left out:\n%s", out)
	}
	if lines := strings.Count(out, "\n"); lines > 3*humanMaxFailed+10 {
		t.Errorf("%d lines: want a bounded report", lines)
	}
}
