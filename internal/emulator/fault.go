package emulator

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
)

// FaultKind is a way for a request to go wrong.
type FaultKind int

const (
	// FaultStatus answers a JSON error with Status (default 500) and Code (default
	// 10002) and Message (default the status text).
	FaultStatus FaultKind = iota
	// FaultRateLimited answers 429 with code 1134 and, if RetryAfter is not empty,
	// that Retry-After header. The rate limit buckets are not touched.
	FaultRateLimited
	// FaultReset closes the connection without a response.
	FaultReset
	// FaultHang never answers; it returns when the request's context is done.
	FaultHang
	// FaultHTML answers an HTML error page (Status, default 502), as Cloudflare's
	// edge does when the API behind it fails.
	FaultHTML
	// FaultTruncated answers 200 with a Content-Length the body never reaches: the
	// connection drops mid-JSON and the client reads an unexpected EOF.
	FaultTruncated
	// FaultSuccessFalse answers HTTP 200 with success:false and errors [{Code,
	// Message}] (defaults 10002 and a generic message): Cloudflare sends some failures so.
	FaultSuccessFalse
	// FaultNoID answers 200 with success:true and result null: accepted, no purge ID.
	FaultNoID
)

var faultNames = map[FaultKind]string{
	FaultStatus: "status", FaultRateLimited: "rate-limited", FaultReset: "reset", FaultHang: "hang",
	FaultHTML: "html", FaultTruncated: "truncated", FaultSuccessFalse: "success-false", FaultNoID: "no-id",
}

func (k FaultKind) String() string {
	if name, ok := faultNames[k]; ok {
		return name
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// FaultHeader marks responses of faults that break the wire format (reset, hang,
// HTML, truncated), so that contract checks (apischema.Middleware) skip them. Its
// value is the fault's kind.
const FaultHeader = "X-Emulator-Fault"

// Fault is a failure to inject into matching requests.
type Fault struct {
	Kind FaultKind
	// Method matches the request method; "" matches any.
	Method string
	// PathContains matches requests whose path contains it; "" matches any.
	PathContains string
	// Times is how many matching requests the fault hits; 0 means 1.
	Times int
	// Status, Code, Message and RetryAfter shape the answer; see FaultKind.
	Status     int
	Code       int
	Message    string
	RetryAfter string
}

type pendingFault struct {
	Fault
	left int
}

// Inject queues faults. Each request takes the first queued fault that matches it,
// before any other processing (it is still recorded by Requests).
func (e *Emulator) Inject(faults ...Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, f := range faults {
		e.faults = append(e.faults, pendingFault{Fault: f, left: max(1, f.Times)})
	}
}

// takeFault consumes one hit of the first fault matching r. Call with e.mu held.
func (e *Emulator) takeFault(r *http.Request) (Fault, bool) {
	for i := range e.faults {
		f := &e.faults[i]
		if (f.Method != "" && !strings.EqualFold(f.Method, r.Method)) || !strings.Contains(r.URL.Path, f.PathContains) {
			continue
		}
		hit := f.Fault
		if f.left--; f.left == 0 {
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
		}
		return hit, true
	}
	return Fault{}, false
}

// codeGeneric is the code of injected server errors. Undocumented; chosen outside
// the codes the action explains, so that no hint misleads.
const codeGeneric = 10002

func serveFault(w http.ResponseWriter, r *http.Request, f Fault) {
	switch f.Kind {
	case FaultReset, FaultHang, FaultHTML, FaultTruncated:
		w.Header().Set(FaultHeader, f.Kind.String())
	}
	switch f.Kind {
	case FaultRateLimited:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		writeError(w, apiError{status: http.StatusTooManyRequests, Code: cmp.Or(f.Code, errRateLimited.Code), Message: cmp.Or(f.Message, errRateLimited.Message)})
	case FaultReset:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			// Not hijackable (HTTP/2, a recorder): abort, which also sends no response.
			panic(http.ErrAbortHandler)
		}
		_ = conn.Close()
	case FaultHang:
		<-r.Context().Done()
	case FaultHTML:
		status := cmp.Or(f.Status, http.StatusBadGateway)
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<!DOCTYPE html>\n<html><head><title>api.cloudflare.com | " + strconv.Itoa(status) + ": " + http.StatusText(status) +
			"</title></head>\n<body><h1>Error " + strconv.Itoa(status) + "</h1><p>" + http.StatusText(status) + "</p></body></html>\n"))
	case FaultTruncated:
		full := `{"success":true,"errors":[],"messages":[],"result":{"id":"` + newID() + `"}}`
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(full)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(full[:len(full)/2]))
	case FaultSuccessFalse:
		writeJSON(w, http.StatusOK, envelope{Errors: []apiError{{Code: cmp.Or(f.Code, codeGeneric), Message: cmp.Or(f.Message, "The request could not be completed; try again")}}})
	case FaultNoID:
		writeResult(w, nil)
	default: // FaultStatus
		status := cmp.Or(f.Status, http.StatusInternalServerError)
		writeError(w, apiError{status: status, Code: cmp.Or(f.Code, codeGeneric), Message: cmp.Or(f.Message, http.StatusText(status))})
	}
}
