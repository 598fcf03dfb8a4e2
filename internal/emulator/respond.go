package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// envelope is Cloudflare's response wrapper.
type envelope struct {
	Success    bool        `json:"success"`
	Errors     []apiError  `json:"errors"`
	Messages   []apiError  `json:"messages"`
	Result     any         `json:"result"`
	ResultInfo *resultInfo `json:"result_info,omitempty"`
}

type resultInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

// apiError is one entry of errors[], with the HTTP status it is sent with.
type apiError struct {
	status     int
	Code       int        `json:"code"`
	Message    string     `json:"message"`
	ErrorChain []apiError `json:"error_chain,omitempty"`
}

var errAuth = apiError{status: http.StatusForbidden, Code: 10000, Message: "Authentication error"}

// errNoCredentials is Cloudflare's answer to a request without any credentials:
// 400, not the 403 of credentials that may not do something.
var errNoCredentials = apiError{status: http.StatusBadRequest, Code: 9106, Message: "Missing X-Auth-Key, X-Auth-Email or Authorization headers"}

func errNoRoute(path string) apiError {
	path = strings.TrimPrefix(path, "/client/v4")
	return apiError{status: http.StatusNotFound, Code: 7003,
		Message: "Could not route to " + path + ", perhaps your object identifier is invalid?"}
}

func errBadRequest(code int, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, Code: code, Message: msg}
}

func writeJSON(w http.ResponseWriter, status int, v envelope) {
	if v.Errors == nil {
		v.Errors = []apiError{}
	}
	v.Messages = []apiError{}
	b, err := json.Marshal(v)
	if err != nil {
		panic("emulator: " + err.Error()) // every value sent is built here: a bug
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e apiError) {
	writeJSON(w, e.status, envelope{Errors: []apiError{e}})
}

func writeResult(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, envelope{Success: true, Result: result})
}

// APILimit is Cloudflare's API-wide limit per user: Quota calls per Window,
// counted across the user's credentials (here: per credential). A call past
// the quota is refused, and so is every call of that credential for Block
// after it (HTTP 429, code 971). Every answer announces the limit in the
// Ratelimit and Ratelimit-Policy headers. The zero value is Cloudflare's:
// 1,200 calls per 5 minutes, a 5-minute block.
type APILimit struct {
	Quota  int
	Window time.Duration
	Block  time.Duration
}

// Cloudflare's API-wide limit (docs/cloudflare.md, "Limits").
const (
	defaultAPIQuota  = 1200
	defaultAPIWindow = 5 * time.Minute
	defaultAPIBlock  = 5 * time.Minute
)

func (l APILimit) orDefaults() APILimit {
	if l.Quota <= 0 {
		l.Quota = defaultAPIQuota
	}
	if l.Window <= 0 {
		l.Window = defaultAPIWindow
	}
	if l.Block <= 0 {
		l.Block = defaultAPIBlock
	}
	return l
}

// String is the form ParseAPILimit reads: "1200/5m0s/5m0s".
func (l APILimit) String() string {
	l = l.orDefaults()
	return fmt.Sprintf("%d/%s/%s", l.Quota, l.Window, l.Block)
}

// ParseAPILimit reads QUOTA/WINDOW[/BLOCK], e.g. "100/10s" (100 calls per 10
// seconds, the 5-minute block) or "100/10s/30s", as `emulate --api-limit`
// takes it: a limit scaled down so that tests and people can reach it.
func ParseAPILimit(s string) (APILimit, error) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return APILimit{}, fmt.Errorf("API limit %q: want QUOTA/WINDOW or QUOTA/WINDOW/BLOCK, e.g. 100/10s or 100/10s/30s", s)
	}
	q, err := strconv.Atoi(parts[0])
	if err != nil || q < 1 || q > 1_000_000 {
		return APILimit{}, fmt.Errorf("API limit %q: the quota %q must be a whole number of calls from 1 to 1000000", s, parts[0])
	}
	l := APILimit{Quota: q, Block: defaultAPIBlock}
	for i, d := range []*time.Duration{&l.Window, &l.Block}[:len(parts)-1] {
		v, err := time.ParseDuration(parts[i+1])
		if err != nil || v < time.Second || v > 24*time.Hour {
			return APILimit{}, fmt.Errorf("API limit %q: %q must be a duration from 1s to 24h, e.g. 10s or 5m", s, parts[i+1])
		}
		*d = v
	}
	return l, nil
}

type apiWindow struct {
	start   time.Time
	count   int
	blocked time.Time // every call is refused until then
}

// sweepWindows is how many credentials' windows the emulator holds before
// it forgets the ended ones.
const sweepWindows = 1024

// ended tells whether the window is over at now (or, on a clock set back,
// not begun), its block included.
func (w *apiWindow) ended(now time.Time, l APILimit) bool {
	return (now.Sub(w.start) >= l.Window || now.Before(w.start)) && !now.Before(w.blocked)
}

// apiCall is what the API-wide limit says of one call.
type apiCall struct {
	remaining int
	reset     int  // seconds until the window resets (or the block ends), rounded up
	refused   bool // past the quota, or blocked: answer 971
	limit     APILimit
}

// countAPICall counts a request against its credential's fixed window. Call
// with e.mu held.
func (e *Emulator) countAPICall(cred string, now time.Time) apiCall {
	l := e.opts.APILimit.orDefaults()
	w := e.windows[cred]
	if w == nil && len(e.windows) >= sweepWindows {
		// Every credential ever sent has a window: forget the ended ones
		// (a new window would replace them anyway), so that a long-running
		// emulator does not grow without bound.
		for c, old := range e.windows {
			if old.ended(now, l) {
				delete(e.windows, c)
			}
		}
	}
	if w == nil || w.ended(now, l) {
		w = &apiWindow{start: now}
		e.windows[cred] = w
	}
	if now.Before(w.blocked) {
		return apiCall{reset: ceilSeconds(w.blocked.Sub(now)), refused: true, limit: l}
	}
	w.count++
	if w.count > l.Quota {
		w.blocked = now.Add(l.Block)
		return apiCall{reset: ceilSeconds(l.Block), refused: true, limit: l}
	}
	return apiCall{remaining: l.Quota - w.count, reset: ceilSeconds(w.start.Add(l.Window).Sub(now)), limit: l}
}

// ceilSeconds rounds up: a client that waits the seconds said must find the
// window reset.
func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// announce sets the Ratelimit headers, as Cloudflare sends on every answer
// (the IETF RateLimit headers draft).
func (c apiCall) announce(h http.Header) {
	h.Set("Ratelimit", fmt.Sprintf(`"default";r=%d;t=%d`, c.remaining, c.reset))
	h.Set("Ratelimit-Policy", fmt.Sprintf(`"default";q=%d;w=%d`, c.limit.Quota, ceilSeconds(c.limit.Window)))
}

// refuse answers a call past the API-wide limit as Cloudflare does.
func (c apiCall) refuse(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(c.reset))
	writeError(w, apiError{status: http.StatusTooManyRequests, Code: 971, Message: fmt.Sprintf(
		"More than %d requests per %d seconds reached. Please wait and consider throttling your request speed",
		c.limit.Quota, ceilSeconds(c.limit.Window))})
}
