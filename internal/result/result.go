// Package result holds the one value a run produces. Outputs, the job
// summary, the CLI report, the JSON document and the exit code are all
// derived from it.
package result

import (
	"errors"
	"fmt"
	"strings"
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

	// ItemsOmitted, BatchesOmitted and PurgeIDsOmitted are set when the
	// document was slimmed to fit GitHub's output size limit (see
	// report.JSONBounded): the counts always stay.
	ItemsOmitted    bool `json:"items_omitted,omitempty"`
	BatchesOmitted  bool `json:"batches_omitted,omitempty"`
	PurgeIDsOmitted bool `json:"purge_ids_omitted,omitempty"`
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

// Error explains a failure: the step that failed, the HTTP status,
// Cloudflare's code and message, and what to do.
type Error struct {
	Kind       string `json:"kind"`           // "input", "configuration", "api"
	Step       string `json:"step,omitempty"` // "zone lookup", "environments list", "purge"
	Code       int    `json:"code,omitempty"`
	Message    string `json:"message"`
	Hint       string `json:"hint,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
}

// Text is the error for a log line or a report, the one way every error is
// shown: the step and the HTTP status, Cloudflare's code and message, then
// the hint. "zone lookup failed (HTTP 403): Cloudflare error 10000:
// Authentication error. The token needs ...". An input error's message
// has one problem per line (see Problems).
func (e *Error) Text() string {
	var b strings.Builder
	msg := e.Message
	if e.HTTPStatus != 0 && msg == fmt.Sprintf("HTTP %d", e.HTTPStatus) {
		msg = "" // a status without a body: said once
	}
	switch {
	case e.Step != "" && e.HTTPStatus != 0:
		fmt.Fprintf(&b, "%s failed (HTTP %d)", e.Step, e.HTTPStatus)
	case e.Step != "":
		fmt.Fprintf(&b, "%s failed", e.Step)
	case e.HTTPStatus != 0:
		fmt.Fprintf(&b, "HTTP %d", e.HTTPStatus)
	}
	if e.Code != 0 || msg != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		if e.Code != 0 {
			fmt.Fprintf(&b, "Cloudflare error %d: ", e.Code)
		}
		b.WriteString(msg)
	}
	if e.Hint != "" {
		switch s := b.String(); {
		case s == "":
		case strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?"):
			b.WriteString(" ")
		default:
			b.WriteString(". ")
		}
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Problems are the lines of the message: one per problem found in the
// inputs (config joins them with line breaks), else the one message.
func (e *Error) Problems() []string {
	var out []string
	for _, l := range strings.Split(e.Message, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// StoppedMessage is the error of every batch that a run stopped before its
// purges (a failed lookup, an unknown environment) did not send: the run's
// own error says why.
const StoppedMessage = "not purged: the run stopped before its purges"

// StopError is the error of the batches not sent by a run that the error
// run stopped.
func StopError(run *Error) *Error {
	return &Error{Kind: run.Kind, Message: StoppedMessage}
}

// IsStop reports whether e is a StopError: a batch that the run's own
// error explains, which reports leave out.
func (e *Error) IsStop() bool {
	return e != nil && e.Message == StoppedMessage && e.Code == 0 && e.Step == "" && e.HTTPStatus == 0
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
		return &Error{Kind: KindAPI, Step: string(ce.Step), Code: ce.Code(), Message: ce.Message(), Hint: ce.Hint(), HTTPStatus: ce.Status}
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
