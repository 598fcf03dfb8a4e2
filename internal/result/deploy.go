package result

// States of one wait URL.
const (
	WaitReady       = "ready"        // served the expectation
	WaitNotReady    = "not_ready"    // never served it before the wait ended
	WaitNotWaitable = "not_waitable" // its environment cannot be selected (country, ASN, ...)
)

// Statuses of the wait.
const (
	WaitStatusReady        = "ready"         // every URL served the expectation: the purge went on
	WaitStatusTimedOut     = "timed_out"     // wait (or the run's timeout) ended first: nothing purged
	WaitStatusQueryIgnored = "query_ignored" // a cache-busting request was a HIT: nothing purged
	WaitStatusStopped      = "stopped"       // the run was cancelled while waiting
)

// Wait is what waiting for the new build, before the first purge, found.
type Wait struct {
	Status     string `json:"status"`
	Reason     string `json:"reason,omitempty"`
	Expect     string `json:"expect"`   // the expectation in words
	LimitMS    int64  `json:"limit_ms"` // the wait asked for
	DurationMS int64  `json:"duration_ms"`
	Requests   int    `json:"requests"`
	// URLs are the wait's URLs, per environment (environment order, then
	// URL order).
	URLs []WaitCheck `json:"urls"`
}

// WaitCheck is one URL polled through one environment.
type WaitCheck struct {
	Environment string `json:"environment"`
	URL         string `json:"url"`
	State       string `json:"state"`
	// AfterMS is when it first served the expectation, from the wait's start.
	AfterMS     int64  `json:"after_ms,omitempty"`
	Attempts    int    `json:"attempts"`
	HTTPStatus  int    `json:"http_status,omitempty"`
	CacheStatus string `json:"cf_cache_status,omitempty"`
	// Seen is what the last answer served: "X-Build: v1", "no X-Build
	// header"; Reason why there was no answer or no wait.
	Seen   string `json:"seen,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Statuses of one environment's warming.
const (
	WarmDone        = "done"
	WarmNotWarmable = "not_warmable" // its selector cannot be sent
	WarmSkipped     = "skipped"      // nothing purged in it, or no URL
	// MaxWarmFailures bounds the failures listed per environment.
	MaxWarmFailures = 20
)

// Warm is what requesting the warm URLs through one environment did.
type Warm struct {
	Status      string `json:"status"`
	Reason      string `json:"reason,omitempty"`
	Selector    string `json:"selector,omitempty"`
	Requested   int    `json:"requested"`
	WarmedCount int    `json:"warmed_count"` // answered 2xx
	FailedCount int    `json:"failed_count"` // anything else
	// Failures are the first MaxWarmFailures requests that did not warm.
	Failures []WarmFailure `json:"failures"`
}

// WarmFailure is one warm request that did not come back 2xx.
type WarmFailure struct {
	URL        string `json:"url"`
	HTTPStatus int    `json:"http_status,omitempty"`
	Reason     string `json:"reason"`
}

// Sitemap is what reading warm-sitemap found.
type Sitemap struct {
	URL string `json:"url"`
	// Pages are the page URLs taken from it; Skipped those of hosts outside
	// the targeted zone; Truncated: it held more than the bounds let read.
	Pages     int    `json:"pages"`
	Skipped   int    `json:"skipped"`
	Truncated bool   `json:"truncated,omitempty"`
	Error     string `json:"error,omitempty"`
}
