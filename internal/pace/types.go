package pace

import (
	"net/http"
	"time"
)

// Call is one API call about to be sent.
type Call struct {
	Purge bool // a purge or invalidation (draws on the plan's purge budget); false: a lookup
	URLs  int  // URLs in a purge by files (0 for tags, hosts, prefixes, everything)
}

// Answer is what came back for one attempt. Zero Answer (Status 0): no answer (network error, timeout).
type Answer struct {
	Status     int
	Header     http.Header   // the answer's headers: Ratelimit, Ratelimit-Policy, Retry-After
	Code       int           // Cloudflare's first errors[].code, 0 if none
	RetryAfter time.Duration // parsed Retry-After, 0 if absent
}
