// Package cloudflare is a thin layer over cloudflare-go for the calls the
// action makes. It adds the run's one retry policy, request timeouts,
// pacing, a bound on every answer, a strict reading of answers and debug
// logging, and turns every failure into an *Error.
package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/cache"
	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/cloudflare/cloudflare-go/v7/zones"

	"github.com/cloudflare-purge/cloudflare-purge/internal/pace"
	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
)

// Pacer spaces the calls to the account's budgets. Wait is called before
// every attempt (lookups with Purge false); the func it returns is called
// exactly once after that attempt with what came back.
type Pacer interface {
	Wait(ctx context.Context, c pace.Call) (func(pace.Answer), error)
}

// Credentials authenticate the calls: an API token, or a Global API key
// with its account's email.
type Credentials struct {
	Token, Key, Email string
}

// MaxIdleConnsPerHost is the idle connections kept to the API: at least
// the purges in flight, so that none dials again.
const MaxIdleConnsPerHost = 32

// MaxAnswerBytes caps what is read of any answer. A purge answer is a few
// hundred bytes and a list of 10,000 environments about 3 MiB; a server
// sending more is broken or hostile, and must not grow the process.
const MaxAnswerBytes = 4 << 20

// ErrTooLarge marks an answer longer than MaxAnswerBytes: it was not read.
var ErrTooLarge = fmt.Errorf("answer too large: more than %d MiB, far more than any API answer; it was not read (is api-url Cloudflare's API?)", MaxAnswerBytes>>20)

// Options configures a Client.
type Options struct {
	BaseURL     string
	Credentials Credentials
	HTTPClient  *http.Client // nil: a client with sane transport timeouts
	// RequestTimeout bounds each attempt, so a hung connection cannot hang the run.
	RequestTimeout time.Duration
	Retry          retry.Policy
	Pacer          Pacer // nil: calls are not paced
	// Sleep waits between attempts; nil uses real time.
	Sleep func(context.Context, time.Duration) error
	// Debugf receives one line per HTTP attempt: method, path, status, duration.
	Debugf func(format string, args ...any)

	// red hides the credentials in every text taken from an answer or an
	// error, before it is cut.
	red *redact.Redactor
}

// Client makes the action's calls.
type Client struct {
	o     Options
	zones *zones.ZoneService
	envs  *zones.EnvironmentService
	cache *cache.CacheService
}

// New builds a Client. It reads no environment variables: the config did.
func New(o Options) *Client {
	if o.RequestTimeout == 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = retry.Sleep
	}
	o.red = redact.New(o.Credentials.Token, o.Credentials.Key, o.Credentials.Email)
	if o.HTTPClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Keep a connection per request in flight: the default of 2 idle
		// connections per host makes concurrent purges over HTTP/1.1 (a
		// proxy, the emulator) dial again and again.
		t.MaxIdleConnsPerHost = MaxIdleConnsPerHost
		o.HTTPClient = &http.Client{
			Transport: t,
			// Go forwards X-Auth-Key and X-Auth-Email on a redirect to
			// another host: credentials go to api-url and nowhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	opts := []option.RequestOption{
		option.WithBaseURL(o.BaseURL + "/"),
		option.WithHTTPClient(o.HTTPClient),
		// Ours is the one retry policy: max-retries must mean what it says.
		option.WithMaxRetries(0),
		option.WithMiddleware(o.middleware),
	}
	if o.Credentials.Token != "" {
		opts = append(opts, option.WithAPIToken(o.Credentials.Token))
	} else {
		opts = append(opts, option.WithAPIKey(o.Credentials.Key), option.WithAPIEmail(o.Credentials.Email))
	}
	return &Client{
		o:     o,
		zones: zones.NewZoneService(opts...),
		envs:  zones.NewEnvironmentService(opts...),
		cache: cache.NewCacheService(opts...),
	}
}

// invalidateKey marks a request context whose purge_cache call is to go to
// invalidate_cache instead (see Invalidate).
type invalidateKey struct{}

var errNotAPurge = errors.New("cloudflare: an invalidation was about to be sent as something other than a purge_cache POST: nothing was sent (a bug: please report it)")

// middleware runs inside the SDK's pipeline on every attempt: it turns a
// purge into an invalidation when asked, caps the answer's body before the
// SDK reads it, and logs the attempt.
func (o Options) middleware(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	if req.Context().Value(invalidateKey{}) != nil {
		path, ok := strings.CutSuffix(req.URL.Path, "/purge_cache")
		if !ok || req.Method != http.MethodPost {
			return nil, errNotAPurge
		}
		req = req.Clone(req.Context())
		req.URL.Path, req.URL.RawPath = path+"/invalidate_cache", ""
	}
	start := time.Now()
	res, err := next(req)
	if res != nil && res.Body != nil {
		res.Body = capBody(res.Body, res.ContentLength)
	}
	if o.Debugf != nil {
		status := "no response"
		if res != nil {
			status = strconv.Itoa(res.StatusCode)
		} else if err != nil {
			status = "error: " + hide(o.red, err.Error(), maxMessage)
		}
		o.Debugf("%s %s -> %s in %s", req.Method, req.URL.Path, status, time.Since(start).Round(time.Millisecond))
	}
	return res, err
}

// cappedBody reads at most MaxAnswerBytes, then fails with ErrTooLarge.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func capBody(rc io.ReadCloser, length int64) io.ReadCloser {
	b := &cappedBody{rc: rc, left: MaxAnswerBytes}
	if length > MaxAnswerBytes {
		b.left = -1 // announced too long: not a byte is read
	}
	return b
}

func (b *cappedBody) Read(p []byte) (int, error) {
	switch {
	case b.left < 0:
		return 0, ErrTooLarge
	case b.left == 0:
		// At the cap: one more byte means too large; EOF means it fit.
		var one [1]byte
		for range 100 {
			n, err := b.rc.Read(one[:])
			if n > 0 {
				b.left = -1
				return 0, ErrTooLarge
			}
			if err != nil {
				return 0, err
			}
		}
		return 0, io.ErrNoProgress
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

// Close closes the connection's body unread: the rest is never downloaded.
func (b *cappedBody) Close() error { return b.rc.Close() }
