package apischema

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
)

// Middleware checks every request before passing it to next, and every response of
// next before sending it on, calling report for each violation (the error names the
// method and path). Responses are buffered to be checked; those marked with
// FaultHeader are passed on unchecked, and a hijacked connection is left alone.
func Middleware(v *Validator, report func(error), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			report(fmt.Errorf("%s %s: reading the request body: %w", r.Method, r.URL.Path, err))
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := v.CheckRequest(r, body); err != nil {
			report(err)
		}

		rec := &recorder{under: w, header: http.Header{}}
		next.ServeHTTP(rec, r)
		if rec.hijacked {
			return
		}
		if err := v.CheckResponse(r, rec.statusOrOK(), rec.header, rec.body.Bytes()); err != nil {
			report(err)
		}
		for k, vs := range rec.header {
			w.Header()[k] = vs
		}
		if rec.status != 0 {
			w.WriteHeader(rec.status)
		}
		_, _ = w.Write(rec.body.Bytes())
	})
}

// recorder buffers a response. Unlike httptest.ResponseRecorder it can hand the
// connection over (the emulator's FaultReset hijacks it).
type recorder struct {
	under    http.ResponseWriter
	header   http.Header
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) statusOrOK() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(r.under).Hijack()
	if err == nil {
		r.hijacked = true
	}
	return conn, rw, err
}
