// Package result holds the one value a run produces. Outputs, the job
// summary, the CLI report, the JSON document and the exit code are all
// derived from it.
package result

import (
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/resolve"
)

// Status of one batch.
type Status string

const (
	Purged  Status = "purged"
	Failed  Status = "failed"
	Planned Status = "planned" // dry run: resolved and planned, not sent
)

// Endpoints.
const (
	EndpointZone        = "zone"
	EndpointEnvironment = "environment"
)

// Result is everything a run did. Its JSON form is the `result` output.
type Result struct {
	ZoneID   string `json:"zone_id"`
	ZoneName string `json:"zone_name,omitempty"`
	DryRun   bool   `json:"dry_run"`

	PurgedCount     int      `json:"purged_count"`
	FailedCount     int      `json:"failed_count"`
	PurgeIDs        []string `json:"purge_ids"`
	EnvironmentRefs []string `json:"environment_refs"`
	Requests        int      `json:"requests"`
	DurationMS      int64    `json:"duration_ms"`

	Environments []Environment `json:"environments"`
	Error        *Error        `json:"error,omitempty"`

	// ItemsOmitted is set when failed items were dropped to fit a size limit.
	ItemsOmitted bool `json:"items_omitted,omitempty"`
}

// Environment is one target's outcome.
type Environment struct {
	Name        string  `json:"name"`
	Ref         string  `json:"ref"`
	Endpoint    string  `json:"endpoint"`
	PurgedCount int     `json:"purged_count"`
	FailedCount int     `json:"failed_count"`
	Batches     []Batch `json:"batches"`
}

// Batch is one purge request's outcome.
type Batch struct {
	Kind     string `json:"kind"`
	Count    int    `json:"count"`
	Status   Status `json:"status"`
	ID       string `json:"id,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	Error    *Error `json:"error,omitempty"`
	// Items lists what a failed batch did not purge.
	Items []string `json:"items,omitempty"`
}

// Error explains a failure: Cloudflare's code and message, and what to do.
type Error struct {
	Kind       string `json:"kind"` // "input", "configuration", "api"
	Code       int    `json:"code,omitempty"`
	Message    string `json:"message"`
	Hint       string `json:"hint,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
}

// Text is the error for a log line or a report: Cloudflare's code and
// message, then the hint.
func (e *Error) Text() string {
	s := e.Message
	if e.Code != 0 {
		s = fmt.Sprintf("Cloudflare error %d: %s", e.Code, s)
	}
	if e.Hint != "" {
		s += ". " + e.Hint
	}
	return s
}

// Error kinds.
const (
	KindInput         = "input"
	KindConfiguration = "configuration"
	KindAPI           = "api"
)

// Exit codes.
const (
	ExitOK     = 0
	ExitFailed = 1
	ExitConfig = 2
)

// NewError describes err for the result document.
func NewError(err error) *Error {
	var ce *cloudflare.Error
	switch {
	case errors.Is(err, config.ErrInvalidInput):
		return &Error{Kind: KindInput, Message: err.Error()}
	case errors.Is(err, resolve.ErrConfig):
		return &Error{Kind: KindConfiguration, Message: err.Error()}
	case errors.As(err, &ce):
		return &Error{Kind: KindAPI, Code: ce.Code(), Message: ce.Message(), Hint: ce.Hint(), HTTPStatus: ce.Status}
	}
	return &Error{Kind: KindAPI, Message: err.Error()}
}

// ExitCode is 0 when everything was purged (or a clean dry run), 2 when the
// run was refused for its configuration, and 1 for any other failure.
func (r *Result) ExitCode() int {
	switch {
	case r.Error != nil && (r.Error.Kind == KindInput || r.Error.Kind == KindConfiguration):
		return ExitConfig
	case r.Error != nil || r.FailedCount > 0:
		return ExitFailed
	}
	return ExitOK
}

// Finish derives the totals from the environments' batches.
func (r *Result) Finish(elapsed time.Duration) {
	r.DurationMS = elapsed.Milliseconds()
	r.PurgedCount, r.FailedCount, r.Requests = 0, 0, 0
	r.PurgeIDs, r.EnvironmentRefs = []string{}, []string{}
	for i := range r.Environments {
		e := &r.Environments[i]
		e.PurgedCount, e.FailedCount = 0, 0
		if e.Ref != "" {
			r.EnvironmentRefs = append(r.EnvironmentRefs, e.Ref)
		}
		for _, b := range e.Batches {
			switch b.Status {
			case Purged:
				e.PurgedCount += b.Count
				r.PurgeIDs = append(r.PurgeIDs, b.ID)
			case Failed:
				e.FailedCount += b.Count
			}
			if b.Attempts > 0 {
				r.Requests += b.Attempts
			}
		}
		r.PurgedCount += e.PurgedCount
		r.FailedCount += e.FailedCount
	}
	if r.Environments == nil {
		r.Environments = []Environment{}
	}
}
