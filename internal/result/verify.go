package result

// Verdicts of one URL (docs/behaviour.md, "Verification").
const (
	VerdictVerified    = "verified"     // not HIT, or HIT no older than the purge
	VerdictStale       = "stale"        // HIT older than the purge, after re-requests for up to 10 s
	VerdictNotCached   = "not_cached"   // DYNAMIC, BYPASS, or no CF-Cache-Status
	VerdictRedirect    = "redirect"     // 3xx: not judged; Location reported
	VerdictNotVerified = "not_verified" // could not be fetched: DNS, connection, TLS, timeout, 5xx
	// VerdictOutdated: not stale, but the answer does not serve the
	// expectation (expect-header, expect-body): the old build.
	VerdictOutdated = "outdated"
)

// Statuses of one environment's verification.
const (
	VerificationDone          = "done"
	VerificationNotVerifiable = "not_verifiable" // selector cannot be sent (country, ASN, ...)
	VerificationSkipped       = "skipped"        // nothing purged in it, or no URL to check
)

// Verification is what checking one environment's URLs found.
type Verification struct {
	Status        string     `json:"status"`
	Reason        string     `json:"reason,omitempty"`
	Selector      string     `json:"selector,omitempty"` // how it was selected, in words: "cookie development=true", "edge IP 1.2.3.4"
	URLs          []URLCheck `json:"urls"`
	VerifiedCount int        `json:"verified_count"`
	StaleCount    int        `json:"stale_count"`
	OutdatedCount int        `json:"outdated_count"`
	// Repurge is the second purge of the URLs found outdated whose origin
	// served the new build: sent once, alone, then those URLs verified
	// again; nil when none was needed.
	Repurge *Repurge `json:"repurge,omitempty"`
}

// Repurge is the one purge sent again after verification.
type Repurge struct {
	URLs   []string `json:"urls"`
	Status Status   `json:"status"`
	ID     string   `json:"id,omitempty"`
	Error  *Error   `json:"error,omitempty"`
}

// URLCheck is the verdict on one URL and the answer it rests on.
type URLCheck struct {
	URL         string `json:"url"`
	Verdict     string `json:"verdict"`
	HTTPStatus  int    `json:"http_status,omitempty"`
	CacheStatus string `json:"cf_cache_status,omitempty"`
	Age         *int   `json:"age,omitempty"` // seconds; nil when no Age header
	Location    string `json:"location,omitempty"`
	Reason      string `json:"reason,omitempty"`
	Attempts    int    `json:"attempts"`
	// Seen is what the answer served of the expectation: "X-Build: v1",
	// "no X-Build header", "the body lacks the text"; empty without one.
	Seen string `json:"seen,omitempty"`
	// OriginSeen is what the origin (the URL with a query parameter of the
	// action's own) served, asked when the URL was outdated; OriginServes
	// says it served the expectation.
	OriginSeen   string `json:"origin_seen,omitempty"`
	OriginServes bool   `json:"origin_serves,omitempty"`
	// Repurged: the URL was purged a second time, then verified again;
	// this check is the second one.
	Repurged bool `json:"repurged,omitempty"`
}
