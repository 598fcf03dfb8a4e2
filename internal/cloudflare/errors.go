package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/pace"
	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
)

// Step names a kind of call, for messages and for the permission it needs.
type Step string

const (
	StepZoneLookup   Step = "zone lookup"
	StepZoneRead     Step = "zone read" // GET /zones/{id}, for the plan
	StepEnvironments Step = "environments list"
	StepPurge        Step = "purge"
	StepInvalidate   Step = "invalidation"
)

// Permission is the API token permission the step needs.
func (s Step) Permission() string {
	switch s {
	case StepZoneLookup, StepZoneRead:
		return "Zone > Zone Read"
	case StepEnvironments:
		return "Zone > Zone Versioning Read"
	}
	return "Zone > Cache Purge"
}

// Detail is one entry of Cloudflare's errors[] array.
type Detail struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Error is a call that failed for good: Cloudflare refused it, or the
// network or the response was broken on every attempt.
type Error struct {
	Step     Step
	Status   int      // HTTP status; 0 when no response came
	Details  []Detail // Cloudflare's errors[]
	Attempts int
	Err      error // the transport or decoding error, if any
	// NoTimeToWait is the wait before another attempt that the run's
	// timeout did not leave time for (TimeLeft); 0 when the retries simply
	// ran out. WaitAsked: Cloudflare asked for it (Retry-After), else it
	// was the backoff.
	NoTimeToWait, TimeLeft time.Duration
	WaitAsked              bool
	// red hides the credentials in the texts before they are cut.
	red *redact.Redactor
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorKind is the error's kind for the result, which classifies errors
// through small interfaces (this one, ErrorStep and HTTPStatus) without
// importing this package.
func (e *Error) ErrorKind() string { return "api" }

// ErrorStep names the step that failed, for the result.
func (e *Error) ErrorStep() string { return string(e.Step) }

// HTTPStatus is the answer's HTTP status, for the result.
func (e *Error) HTTPStatus() int { return e.Status }

// Code is Cloudflare's first error code, or 0.
func (e *Error) Code() int {
	if len(e.Details) == 0 {
		return 0
	}
	return e.Details[0].Code
}

// Message is Cloudflare's error messages, or a description of the failure.
func (e *Error) Message() string {
	m := clip(e.red.String(e.message()), maxMessage)
	if w := e.waitNote(); w != "" {
		m += " (" + w + ")"
	}
	return m
}

// waitNote says why no retry was made when the wait did not fit.
func (e *Error) waitNote() string {
	var held *pace.TooLongError
	if e.NoTimeToWait <= 0 || errors.As(e.Err, &held) {
		return "" // the pacer's error says it
	}
	wait, left := roundWait(e.NoTimeToWait), roundWait(e.TimeLeft)
	if e.WaitAsked {
		return fmt.Sprintf("Cloudflare asked to wait %s before another attempt, more than the run's timeout left (%s)", wait, left)
	}
	return fmt.Sprintf("the next attempt was due in %s, more than the run's timeout left (%s)", wait, left)
}

func roundWait(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}

func (e *Error) message() string {
	switch {
	case len(e.Details) > 0:
		msgs := make([]string, len(e.Details))
		for i, d := range e.Details {
			msgs[i] = d.Message
		}
		return strings.Join(msgs, "; ")
	case e.Err != nil:
		return e.red.String(cleanMessage(e.Err.Error()))
	case e.Status != 0:
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return "failed"
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s failed", e.Step)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	for _, d := range e.Details[:min(len(e.Details), maxDetails)] {
		fmt.Fprintf(&b, ": Cloudflare error %d: %s", d.Code, hide(e.red, d.Message, maxMessage))
	}
	if len(e.Details) == 0 && e.Err != nil {
		fmt.Fprintf(&b, ": %s", hide(e.red, e.Err.Error(), maxMessage))
	}
	if w := e.waitNote(); w != "" {
		fmt.Fprintf(&b, " (%s)", w)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if h := e.Hint(); h != "" {
		fmt.Fprintf(&b, ". %s", h)
	}
	return b.String()
}

// Hint tells the user what to do about a known failure.
func (e *Error) Hint() string {
	if e.NoTimeToWait > 0 && e.Code() != 971 {
		if !e.WaitAsked {
			return "The next retry was due later than the run's timeout left: raise timeout."
		}
		return "Cloudflare asked to wait longer than the run's timeout left: raise timeout, or run fewer purges at once on this account."
	}
	for _, d := range e.Details {
		if h := hint(e.Step, d.Code); h != "" {
			return h
		}
	}
	switch {
	case e.Status == 401 || e.Status == 403:
		return fmt.Sprintf("Check that the token has the %s permission for this zone, and the token itself (mistyped, expired or revoked?).", e.Step.Permission())
	case e.Status == 429:
		return hint(e.Step, 1134)
	case errors.Is(e.Err, ErrTooLarge):
		return "Check api-url: it should be Cloudflare's API (https://api.cloudflare.com/client/v4) or a proxy that passes its answers through."
	case errors.Is(e.Err, errBadIDIn):
		return "Check the zone (32 hexadecimal characters, or a name) and the environment ref."
	case errors.Is(e.Err, ErrRunTimeout):
		return "Raise timeout."
	case errors.Is(e.Err, context.Canceled):
		return "" // the user stopped the run: nothing to fix
	case e.Status == 0 && e.Err != nil && e.Attempts > 1:
		return fmt.Sprintf("Check api-url and the network; the request was tried %d times with backoff.", e.Attempts)
	case e.Status == 0 && e.Err != nil:
		return "Check api-url and the network (raise max-retries to retry such failures)."
	}
	return ""
}

func hint(step Step, code int) string {
	switch code {
	case 971:
		return "Cloudflare's API-wide limit for this user was reached (more than its quota of calls in 5 minutes): Cloudflare now blocks every API call of the user for 5 minutes, the deploy's other tools included. Wait 5 minutes before running again; then run fewer jobs at once on this account, or send fewer, larger requests (an empty files-per-request, the most the zone's plan takes; tags, hosts or prefixes instead of URLs)."
	case 1134:
		return "Cloudflare's purge rate limit for the account was reached, and the run's timeout left no time to wait for it: raise timeout, or run fewer purges at once on this account (jobs of a matrix share its budget)."
	case 1015:
		return "The request carried more URLs than the zone's plan takes (30 below Enterprise, 500 on Enterprise): leave files-per-request empty for the plan's most, or set 30 or less; give the token Zone Read when the zone is given by ID, so that its plan can be read."
	case 1136:
		if step == StepInvalidate {
			return "This environment selects traffic by IP, country, ASN or threat score, where Cloudflare does not allow invalidating by URL: invalidate it by tags, hosts, prefixes or purge-everything instead."
		}
		return "This environment selects traffic by IP, country, ASN or threat score, where Cloudflare does not allow purging by URL: purge it by tags, hosts, prefixes or purge-everything instead."
	case 10000:
		// Cloudflare answers so to a token it does not know too.
		return fmt.Sprintf("The token needs the %s permission on this zone (Cache Purge to purge; Zone Read to find a zone by name; Zone Versioning Read to find an environment by name). If it has it, check the token itself: mistyped, expired or revoked?", step.Permission())
	case 1000, 9109:
		return "Cloudflare does not accept the token: check api-token (mistyped, expired or revoked?)."
	case 6003, 6102, 6103, 6111:
		return "The credentials are malformed: an API token must be given as api-token, not api-key; a Global API key needs api-email too."
	case 1012, 1014:
		return "Cloudflare did not accept the request body; this is a bug in the action: please report it with the run's debug log."
	case 7003:
		if step == StepZoneLookup {
			// The lookup's path holds no id of the user's: the base is wrong.
			return hint(step, 7000)
		}
		return "Cloudflare does not know that zone or environment id, or the token cannot see it: check zone (and account) and the token's zone resources."
	case 7000:
		// No route for the path itself, not for an id in it: the base URL
		// is not the API's (.../client/v4/v4, .../client/v4/zones).
		return "Cloudflare has no such API path: check api-url, which should be https://api.cloudflare.com/client/v4 (nothing after v4) or a proxy of it."
	}
	return ""
}
