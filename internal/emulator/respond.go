package emulator

import (
	"encoding/json"
	"net/http"
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

// Cloudflare's API-wide limit (1,200 requests per 5 minutes per token) is only shown
// in the Ratelimit headers, not enforced: the purge buckets are what the action meets.
const (
	apiQuota        = 1200
	apiWindowLength = 5 * time.Minute
)

type apiWindow struct {
	start time.Time
	count int
}

// sweepWindows is how many credentials' windows the emulator holds before
// it forgets the ended ones.
const sweepWindows = 1024

// ended tells whether the window is over at now (or, on a clock set back,
// not begun).
func (w *apiWindow) ended(now time.Time) bool {
	return now.Sub(w.start) >= apiWindowLength || now.Before(w.start)
}

// countAPICall counts a request against its credential's fixed window and returns
// the requests left and the seconds until the window resets. Call with e.mu held.
func (e *Emulator) countAPICall(cred string, now time.Time) (remaining, reset int) {
	w := e.windows[cred]
	if w == nil && len(e.windows) >= sweepWindows {
		// Every credential ever sent has a window: forget the ended ones
		// (a new window would replace them anyway), so that a long-running
		// emulator does not grow without bound.
		for c, old := range e.windows {
			if old.ended(now) {
				delete(e.windows, c)
			}
		}
	}
	if w == nil || w.ended(now) {
		w = &apiWindow{start: now}
		e.windows[cred] = w
	}
	w.count++
	reset = int(w.start.Add(apiWindowLength).Sub(now).Seconds())
	return max(0, apiQuota-w.count), reset
}
