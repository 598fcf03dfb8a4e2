// Package result holds the one value a run produces. Outputs, the job
// summary, the CLI report, the JSON document and the exit code are all
// derived from it.
package result

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Status of one batch.
type Status string

const (
	Purged  Status = "purged"
	Failed  Status = "failed"
	Planned Status = "planned" // dry run: resolved and planned, not sent
)

// Kind is what one purge request carries: Cloudflare takes one kind per
// request. The names are part of the result document's contract.
type Kind string

const (
	KindFiles            Kind = "files"
	KindFilesWithHeaders Kind = "files-with-headers"
	KindTags             Kind = "tags"
	KindHosts            Kind = "hosts"
	KindPrefixes         Kind = "prefixes"
	KindEverything       Kind = "purge-everything"
)

// Endpoints.
const (
	EndpointZone        = "zone"
	EndpointEnvironment = "environment"
)

// Result is everything a run did. Its JSON form is the `result` output.
type Result struct {
	// ZoneID is the zone's ID; with several zones, their IDs
	// comma-separated in input order (the zone-id output). ZoneName is the
	// zone's name when it was given by name; empty with several zones,
	// whose names are in Zones.
	ZoneID   string `json:"zone_id"`
	ZoneName string `json:"zone_name,omitempty"`
	DryRun   bool   `json:"dry_run"`
	// Invalidate says the run marked content stale (invalidate_cache)
	// instead of deleting it: its counts are of items invalidated.
	Invalidate bool `json:"invalidate"`
	// Skipped says why the run sent nothing on purpose (no credentials,
	// with if-no-credentials: warn or ignore); empty for a run that ran.
	Skipped string `json:"skipped,omitempty"`
	// SkipQuietly: the skip is a notice, not a warning (ignore).
	SkipQuietly bool `json:"-"`

	PurgedCount     int      `json:"purged_count"`
	FailedCount     int      `json:"failed_count"`
	PurgeIDs        []string `json:"purge_ids"`
	EnvironmentRefs []string `json:"environment_refs"`
	Requests        int      `json:"requests"`
	DurationMS      int64    `json:"duration_ms"`

	// Verify says the purge was to be verified (verify: true); the counts
	// sum the environments' verifications.
	Verify        bool `json:"verify"`
	VerifiedCount int  `json:"verified_count"`
	StaleCount    int  `json:"stale_count"`
	// OutdatedCount sums the verifications' URLs that did not serve the
	// expectation (expect-header, expect-body).
	OutdatedCount int `json:"outdated_count"`

	// Expect is the expectation (expect-header, expect-body) in words:
	// what the new build serves; empty without one.
	Expect string `json:"expect,omitempty"`
	// Wait is what waiting for the new build before the purge found; nil
	// without wait.
	Wait *Wait `json:"wait,omitempty"`
	// Warm says the run was to warm the cache (warm: true); WarmedCount
	// and WarmFailedCount sum the environments' warming, Sitemap is what
	// warm-sitemap held.
	Warm            bool     `json:"warm"`
	WarmedCount     int      `json:"warmed_count"`
	WarmFailedCount int      `json:"warm_failed_count"`
	Sitemap         *Sitemap `json:"sitemap,omitempty"`

	Environments []Environment `json:"environments"`
	// Zones are the run's zones, in input order; each environment of
	// Environments names its own (Environment.Zone), and a zone's are
	// together, in input order. The document lists them only when there
	// are several (see MarshalJSON): one zone's run keeps the document it
	// had before runs could have several.
	Zones []Zone `json:"zones,omitempty"`
	Error *Error `json:"error,omitempty"`

	// ListItems asks the document to list every batch's items, not only
	// the failed ones' (a dry run always lists them).
	ListItems bool `json:"-"`

	// ItemsOmitted, BatchesOmitted and PurgeIDsOmitted are set when the
	// document was slimmed to fit GitHub's output size limit (see
	// report.JSONBounded): the counts always stay.
	ItemsOmitted bool `json:"items_omitted,omitempty"`
	// VerificationOmitted: the verified URLs' entries were left out (the
	// counts, and the other verdicts' entries, stay).
	VerificationOmitted bool `json:"verification_omitted,omitempty"`
	// WaitOmitted: the wait's ready URLs' entries were left out, then
	// (with the batches) all of them.
	WaitOmitted     bool `json:"wait_omitted,omitempty"`
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
	// Verification is what checking the environment after the purge
	// found; nil when the run did not verify.
	Verification *Verification `json:"verification,omitempty"`
	// Warm is what requesting the warm URLs through the environment did;
	// nil when the run did not warm.
	Warm *Warm `json:"warm,omitempty"`
	// FirstSentAt is when the environment's first purge request left (past
	// the pacer), as purge.Run records it: a copy cached before it is one
	// the purge had to remove.
	FirstSentAt time.Time `json:"-"`
	// Zone is the index of the environment's zone in Result.Zones.
	Zone int `json:"-"`
}

// Zone is one zone of a run. In a run of several zones, the document lists
// each with its own environments; in memory these stay in
// Result.Environments, which report reads.
type Zone struct {
	// ID is the zone's ID, empty when it was not resolved.
	ID string `json:"zone_id"`
	// Name is the zone's name, as given or as its lookup found it; empty
	// when neither says it.
	Name         string        `json:"zone_name,omitempty"`
	PurgedCount  int           `json:"purged_count"`
	FailedCount  int           `json:"failed_count"`
	Environments []Environment `json:"environments"`
}

// Label names the zone for people: "example.org (id)", the name or the
// ID alone, or "not resolved".
func (z Zone) Label() string {
	switch {
	case z.Name != "" && z.ID != "":
		return z.Name + " (" + z.ID + ")"
	case z.Name != "":
		return z.Name
	case z.ID != "":
		return z.ID
	}
	return "not resolved"
}

// MultiZone tells whether the run had several zones: its document lists
// them under zones, and its reports group the environments by zone.
func (r *Result) MultiZone() bool { return len(r.Zones) > 1 }

// ZoneOf is the zone of an environment of r (the zero Zone when r lists
// none).
func (r *Result) ZoneOf(e Environment) Zone {
	if e.Zone >= 0 && e.Zone < len(r.Zones) {
		return r.Zones[e.Zone]
	}
	return Zone{}
}

// MarshalJSON is the result document. One zone's is the document as it
// was before runs could have several zones, byte for byte: zone_id,
// zone_name and environments at the top. Several zones' lists them under
// zones, each with its own environments and counts, and has no top-level
// environments; zone_id holds the zones' IDs, comma-separated. Without
// Environments, each zone's environments are null, for report's encoder,
// which writes them piece by piece, to splice.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result // without this method
	if !r.MultiZone() {
		r.Zones = nil
		return json.Marshal(plain(r))
	}
	zones := make([]Zone, len(r.Zones))
	for i, z := range r.Zones {
		z.Environments = nil // null when r has none: report's encoder fills it in
		zones[i] = z
	}
	for _, e := range r.Environments {
		if e.Zone >= 0 && e.Zone < len(zones) {
			zones[e.Zone].Environments = append(zones[e.Zone].Environments, e)
		}
	}
	r.Zones = zones
	return json.Marshal(struct {
		plain
		Environments []Environment `json:"environments,omitempty"`
	}{plain: plain(r)})
}

// Batch is one purge request's outcome.
type Batch struct {
	Kind     Kind   `json:"kind"`
	Count    int    `json:"count"`
	Status   Status `json:"status"`
	ID       string `json:"id,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	Error    *Error `json:"error,omitempty"`
	// Items are the batch's URLs, tags, hosts or prefixes. The document
	// lists them for a failed batch, and for every batch of a dry run or
	// when asked to (ListItems); report decides.
	Items []string `json:"items,omitempty"`
}

// FailedOnItsOwn tells whether a batch failed for a reason of its own, not
// because the run stopped before it (the run's error says why for those).
func (b Batch) FailedOnItsOwn() bool {
	return b.Status == Failed && b.Error != nil && !b.Error.IsStop()
}

// Error explains a failure: the step that failed, the HTTP status,
// Cloudflare's code and message, and what to do.
type Error struct {
	Kind ErrorKind `json:"kind"`
	// Stopped marks a StopError: a batch that the run's own error
	// explains, which reports leave out.
	Stopped    bool   `json:"-"`
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

// StoppedInvalidateMessage is StoppedMessage of a run that invalidates.
const StoppedInvalidateMessage = "not invalidated: the run stopped before its invalidations"

// StopError is the error of the batches not sent by a run that the error
// run stopped.
func StopError(run *Error) *Error {
	return &Error{Kind: run.Kind, Message: StoppedMessage, Stopped: true}
}

// IsStop reports whether e is a StopError: a batch that the run's own
// error explains, which reports leave out.
func (e *Error) IsStop() bool {
	return e != nil && e.Stopped
}

// ErrorKind classifies an error: what the user must change, and so the
// exit code.
type ErrorKind string

// Error kinds.
const (
	ErrorInput         ErrorKind = "input"         // an input's value (exit 2)
	ErrorConfiguration ErrorKind = "configuration" // the inputs do not match the account (exit 2)
	ErrorAPI           ErrorKind = "api"           // a call or a step failed
)

// Error makes an Error an error: the packages that raise errors return one,
// or let errors.As read theirs as one (an As method), so that result
// depends on none of them.
func (e *Error) Error() string { return e.Text() }

// NewError describes err for the result document: the Error that err is or
// wraps (config's input errors, resolve's configuration errors,
// cloudflare's API errors), else an API failure with err's message. An
// input or configuration error's message is err's whole text, one problem
// per line.
func NewError(err error) *Error {
	var d *Error
	if !errors.As(err, &d) {
		return &Error{Kind: ErrorAPI, Message: err.Error()}
	}
	if d.Kind != ErrorAPI {
		return &Error{Kind: d.Kind, Message: err.Error()}
	}
	e := *d
	e.Stopped = false
	return &e
}

// Refused tells whether the run was refused for its configuration before
// any purge: invalid input, an unknown zone name or environment.
func (r *Result) Refused() bool {
	return r.Error != nil && (r.Error.Kind == ErrorInput || r.Error.Kind == ErrorConfiguration)
}

// Failed tells whether anything failed: the run, any of its items, or the
// verification, which found a URL still served from before the purge.
// An outdated URL (the expectation not served after the purge) fails it too;
// warming never does.
func (r *Result) Failed() bool {
	return r.Error != nil || r.FailedCount > 0 || r.StaleCount > 0 || r.OutdatedCount > 0
}

// Layout is the result of a run before it sends anything: every target
// with every batch planned. names, refs and endpoints are per target.
func Layout(targets []Environment, batches []Batch) []Environment {
	envs := make([]Environment, len(targets))
	for i, t := range targets {
		t.Batches = append([]Batch(nil), batches...)
		for j := range t.Batches {
			t.Batches[j].Status = Planned
		}
		envs[i] = t
	}
	return envs
}

// Stop records a run that ended before its purges: the run's error, and
// every batch not purged failed with a StopError that points at it (a dry
// run's stay planned: nothing was to be sent).
func (r *Result) Stop(err *Error) {
	r.Error = err
	if r.DryRun {
		return
	}
	// One error for them all: 500,000 items in 50 environments are a
	// million batches.
	stop := StopError(err)
	if r.Invalidate {
		stop.Message = StoppedInvalidateMessage
	}
	for i := range r.Environments {
		for j := range r.Environments[i].Batches {
			b := &r.Environments[i].Batches[j]
			if b.Status != Purged {
				b.Status, b.Error = Failed, stop
			}
		}
	}
}

// Finish derives the totals from the environments' batches.
func (r *Result) Finish(elapsed time.Duration) {
	r.DurationMS = elapsed.Milliseconds()
	r.PurgedCount, r.FailedCount, r.Requests = 0, 0, 0
	r.VerifiedCount, r.StaleCount, r.OutdatedCount = 0, 0, 0
	r.WarmedCount, r.WarmFailedCount = 0, 0
	r.PurgeIDs, r.EnvironmentRefs = []string{}, []string{}
	for i := range r.Zones {
		r.Zones[i].PurgedCount, r.Zones[i].FailedCount = 0, 0
	}
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
		if e.Zone >= 0 && e.Zone < len(r.Zones) {
			r.Zones[e.Zone].PurgedCount += e.PurgedCount
			r.Zones[e.Zone].FailedCount += e.FailedCount
		}
		if v := e.Verification; v != nil {
			v.Tally()
			r.VerifiedCount += v.VerifiedCount
			r.StaleCount += v.StaleCount
			r.OutdatedCount += v.OutdatedCount
			if v.Repurge != nil {
				r.Requests++
			}
		}
		if w := e.Warm; w != nil {
			r.WarmedCount += w.WarmedCount
			r.WarmFailedCount += w.FailedCount
		}
	}
	if r.Environments == nil {
		r.Environments = []Environment{}
	}
}

// Progress is a snapshot of a running purge, for progress lines: requests
// and items are counted apart.
type Progress struct {
	Done, Total int // requests finished (purged or failed for good), of all
	Failed      int // requests failed for good
	// Items were purged, FailedItems failed, of TotalItems.
	Items, FailedItems, TotalItems int
	Elapsed                        time.Duration
}

// IsID tells whether s has the form of Cloudflare's ids (at most 32
// characters, hexadecimal: docs/cloudflare.md, "Endpoints and permissions"): zone ids, environment refs, purge ids. The
// one rule for every place that takes an id from the API or shows one: no
// line break, no heredoc delimiter, no markup can pass it.
func IsID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
