// Package cloudflare is a thin layer over cloudflare-go for the three calls
// the action makes. It adds the run's one retry policy, request timeouts,
// pacing and debug logging, and turns every failure into an *Error.
package cloudflare

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/cache"
	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/cloudflare/cloudflare-go/v7/zones"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
)

// Pacer spaces purge requests to the account's budget. Wait is called
// before every purge attempt; Throttled after every purge refused for the
// rate limit (a 429, or code 1134), with the same urls (0 for tags, hosts,
// prefixes or everything). Lookups are not paced.
type Pacer interface {
	Wait(ctx context.Context, urls int) error
	Throttled(urls int, wait time.Duration)
}

// MaxIdleConnsPerHost is the idle connections kept to the API: at least
// the purges in flight, so that none dials again.
const MaxIdleConnsPerHost = 32

// Options configures a Client.
type Options struct {
	BaseURL    string
	Auth       config.Auth
	HTTPClient *http.Client // nil: a client with sane transport timeouts
	// RequestTimeout bounds each attempt, so a hung connection cannot hang the run.
	RequestTimeout time.Duration
	Retry          retry.Policy
	Pacer          Pacer
	// Sleep waits between attempts; nil uses real time.
	Sleep func(context.Context, time.Duration) error
	// Debugf receives one line per HTTP attempt: method, path, status, duration.
	Debugf func(format string, args ...any)
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
		option.WithMiddleware(o.logCall),
	}
	if o.Auth.Token != "" {
		opts = append(opts, option.WithAPIToken(o.Auth.Token))
	} else {
		opts = append(opts, option.WithAPIKey(o.Auth.Key), option.WithAPIEmail(o.Auth.Email))
	}
	return &Client{
		o:     o,
		zones: zones.NewZoneService(opts...),
		envs:  zones.NewEnvironmentService(opts...),
		cache: cache.NewCacheService(opts...),
	}
}

func (o Options) logCall(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	start := time.Now()
	res, err := next(req)
	if o.Debugf != nil {
		status := "no response"
		if res != nil {
			status = strconv.Itoa(res.StatusCode)
		} else if err != nil {
			status = "error: " + err.Error()
		}
		o.Debugf("%s %s -> %s in %s", req.Method, req.URL.Path, status, time.Since(start).Round(time.Millisecond))
	}
	return res, err
}

// Zone is a zone found by name.
type Zone struct {
	ID, Name, AccountID, AccountName, Plan string
}

// FindZones looks a zone up by name, within one account if accountID is set.
func (c *Client) FindZones(ctx context.Context, name, accountID string) ([]Zone, error) {
	var q zones.ZoneListParams
	q.Name.Value, q.Name.Present = name, true
	if accountID != "" {
		var a zones.ZoneListParamsAccount
		a.ID.Value, a.ID.Present = accountID, true
		q.Account.Value, q.Account.Present = a, true
	}
	var found []Zone
	_, err := c.call(ctx, StepZoneLookup, nil, nil, func(ctx context.Context, res **http.Response) (envelope, error) {
		page, err := c.zones.List(ctx, q, option.WithResponseInto(res))
		if err != nil {
			return envelope{}, err
		}
		// The SDK's page keeps no "success" nor "errors": read them from the
		// raw answer, so that a refusal is not taken for "no such zone".
		var head struct {
			Success *bool    `json:"success"`
			Errors  []Detail `json:"errors"`
		}
		if json.Unmarshal([]byte(page.JSON.RawJSON()), &head) == nil && head.Success != nil && !*head.Success {
			return envelope{errors: head.Errors, hasResult: true}, nil
		}
		found = found[:0]
		for _, z := range page.Result {
			if !validID(z.ID) {
				return envelope{errors: []Detail{{Message: errBadID.Error()}}, hasResult: true}, nil
			}
			//lint:ignore SA1019 the zone's plan is the only published hint of the account's purge budget.
			found = append(found, Zone{ID: z.ID, Name: z.Name, AccountID: z.Account.ID, AccountName: z.Account.Name, Plan: z.Plan.Name})
		}
		return envelope{success: true}, nil
	})
	return found, err
}

// Environment is one zone-versioning environment.
type Environment struct {
	Name, Ref, Expression string
}

// Environments lists the zone's environments.
func (c *Client) Environments(ctx context.Context, zoneID string) ([]Environment, error) {
	var q zones.EnvironmentListParams
	q.ZoneID.Value, q.ZoneID.Present = zoneID, true
	var envs []Environment
	_, err := c.call(ctx, StepEnvironments, nil, nil, func(ctx context.Context, res **http.Response) (envelope, error) {
		var env zones.EnvironmentListResponseEnvelope
		_, err := c.envs.List(ctx, q, option.WithResponseInto(res), option.WithResponseBodyInto(&env))
		if err != nil {
			return envelope{}, err
		}
		envs = envs[:0]
		for _, e := range env.Result.Environments {
			if !validID(e.Ref) {
				return envelope{errors: []Detail{{Message: errBadID.Error()}}, hasResult: true}, nil
			}
			envs = append(envs, Environment{Name: e.Name, Ref: e.Ref, Expression: e.Expression})
		}
		return envelope{success: env.Success, errors: details(env.Errors), hasResult: true}, nil
	})
	return envs, err
}

// Purge sends one batch to the zone endpoint (ref == "") or to the
// environment's, retrying as the policy says. It returns Cloudflare's purge
// id and the number of attempts made.
func (c *Client) Purge(ctx context.Context, zoneID, ref string, b plan.Batch) (id string, attempts int, err error) {
	var zp cache.CachePurgeParams
	zp.ZoneID.Value, zp.ZoneID.Present = zoneID, true
	var ep cache.CachePurgeEnvironmentParams
	ep.ZoneID = zp.ZoneID
	if ref == "" {
		zp.Body = zoneBody(b)
	} else {
		ep.Body = environmentBody(b)
	}

	urls := 0
	if b.Kind == result.KindFiles || b.Kind == result.KindFilesWithHeaders {
		urls = len(b.Files)
	}
	attempts, err = c.call(ctx, StepPurge, func(ctx context.Context) error {
		if c.o.Pacer == nil {
			return nil
		}
		return c.o.Pacer.Wait(ctx, urls)
	}, func(wait time.Duration) {
		if c.o.Pacer != nil {
			c.o.Pacer.Throttled(urls, wait)
		}
	}, func(ctx context.Context, res **http.Response) (envelope, error) {
		var env cache.CachePurgeResponseEnvelope
		var err error
		if ref == "" {
			_, err = c.cache.Purge(ctx, zp, option.WithResponseInto(res), option.WithResponseBodyInto(&env))
		} else {
			_, err = c.cache.PurgeEnvironment(ctx, ref, ep, option.WithResponseInto(res), option.WithResponseBodyInto(&env))
		}
		if err != nil {
			return envelope{}, err
		}
		id = env.Result.ID
		return envelope{success: env.Success, errors: details(env.Errors), id: id, needID: true, hasResult: true}, nil
	})
	if err != nil {
		id = ""
	}
	return id, attempts, err
}

// zoneBody is the request body of one batch: exactly one kind. The SDK's
// typed bodies are used rather than its catch-all body, whose interface{}
// fields go through an encoder that races under concurrent requests.
func zoneBody(b plan.Batch) cache.CachePurgeParamsBodyUnion {
	switch b.Kind {
	case result.KindEverything:
		var v cache.CachePurgeParamsBodyCachePurgeEverything
		v.PurgeEverything.Value, v.PurgeEverything.Present = true, true
		return v
	case result.KindFiles:
		var v cache.CachePurgeParamsBodyCachePurgeSingleFile
		v.Files.Value, v.Files.Present = b.Values(), true
		return v
	case result.KindFilesWithHeaders:
		files := make([]cache.CachePurgeParamsBodyCachePurgeSingleFileWithURLAndHeadersFile, len(b.Files))
		for i, f := range b.Files {
			files[i].URL.Value, files[i].URL.Present = f.URL, true
			files[i].Headers.Value, files[i].Headers.Present = f.Headers, true
		}
		var v cache.CachePurgeParamsBodyCachePurgeSingleFileWithURLAndHeaders
		v.Files.Value, v.Files.Present = files, true
		return v
	case result.KindTags:
		var v cache.CachePurgeParamsBodyCachePurgeFlexPurgeByTags
		v.Tags.Value, v.Tags.Present = b.Items, true
		return v
	case result.KindHosts:
		var v cache.CachePurgeParamsBodyCachePurgeFlexPurgeByHostnames
		v.Hosts.Value, v.Hosts.Present = b.Items, true
		return v
	case result.KindPrefixes:
		var v cache.CachePurgeParamsBodyCachePurgeFlexPurgeByPrefixes
		v.Prefixes.Value, v.Prefixes.Present = b.Items, true
		return v
	}
	panic(fmt.Sprintf("cloudflare: unknown batch kind %q", b.Kind))
}

// environmentBody is zoneBody for the environment endpoint, whose SDK types
// have the same shape under other names.
func environmentBody(b plan.Batch) cache.CachePurgeEnvironmentParamsBodyUnion {
	switch v := zoneBody(b).(type) {
	case cache.CachePurgeParamsBodyCachePurgeEverything:
		return cache.CachePurgeEnvironmentParamsBodyCachePurgeEverything(v)
	case cache.CachePurgeParamsBodyCachePurgeSingleFile:
		return cache.CachePurgeEnvironmentParamsBodyCachePurgeSingleFile(v)
	case cache.CachePurgeParamsBodyCachePurgeSingleFileWithURLAndHeaders:
		files := make([]cache.CachePurgeEnvironmentParamsBodyCachePurgeSingleFileWithURLAndHeadersFile, len(v.Files.Value))
		for i, f := range v.Files.Value {
			files[i] = cache.CachePurgeEnvironmentParamsBodyCachePurgeSingleFileWithURLAndHeadersFile(f)
		}
		var e cache.CachePurgeEnvironmentParamsBodyCachePurgeSingleFileWithURLAndHeaders
		e.Files.Value, e.Files.Present = files, true
		return e
	case cache.CachePurgeParamsBodyCachePurgeFlexPurgeByTags:
		return cache.CachePurgeEnvironmentParamsBodyCachePurgeFlexPurgeByTags(v)
	case cache.CachePurgeParamsBodyCachePurgeFlexPurgeByHostnames:
		return cache.CachePurgeEnvironmentParamsBodyCachePurgeFlexPurgeByHostnames(v)
	case cache.CachePurgeParamsBodyCachePurgeFlexPurgeByPrefixes:
		return cache.CachePurgeEnvironmentParamsBodyCachePurgeFlexPurgeByPrefixes(v)
	}
	panic(fmt.Sprintf("cloudflare: unknown batch kind %q", b.Kind))
}

// envelope is what a call's decoded answer says about success.
type envelope struct {
	success   bool
	errors    []Detail
	id        string
	needID    bool
	hasResult bool
}

var (
	errNoID = errors.New("the API answered success but sent no purge id (or not a valid one)")
	// ErrNotJSON marks a failure whose answer was no API answer at all.
	ErrNotJSON   = errors.New("the response was not Cloudflare JSON (a proxy error page or a cut-off body)")
	errBadID     = errors.New("the API answered an id that is not an id (at most 64 letters, digits, - or _): it was not used")
	errTimedOut  = errors.New("no answer within the request timeout")
	errNoSuccess = errors.New(`the API answered "success": false`)
)

// call runs one API call under the retry policy. before runs ahead of each
// attempt (pacing), throttled after each attempt refused for the rate limit
// with the wait asked for; do makes the attempt with a per-attempt timeout.
func (c *Client) call(ctx context.Context, step Step, before func(context.Context) error, throttled func(time.Duration), do func(context.Context, **http.Response) (envelope, error)) (attempts int, err error) {
	var last *Error
	sent := 0 // attempts that reached the network: not one the run ended in the pacer's wait
	_, err = c.o.Retry.Do(ctx, c.o.Sleep, func(ctx context.Context) (retry.Verdict, error) {
		if before != nil {
			if err := before(ctx); err != nil {
				return retry.Verdict{}, err
			}
		}
		actx, cancel := context.WithTimeout(ctx, c.o.RequestTimeout)
		defer cancel()
		var res *http.Response
		sent++
		env, err := do(actx, &res)
		v, cerr := classify(step, res, env, err, ctx, actx)
		if cerr != nil {
			last = cerr
			if v.Retry && res != nil && (res.StatusCode == http.StatusTooManyRequests || cerr.Code() == 1134) && throttled != nil {
				throttled(c.o.Retry.Wait(0, v))
			}
			return v, cerr
		}
		return v, nil
	})
	if err == nil {
		return sent, nil
	}
	if last == nil || !errors.As(err, &last) {
		// The run's context ended before an attempt completed.
		return sent, &Error{Step: step, Attempts: sent, Err: runEnded(err)}
	}
	last.Attempts = sent
	var long *retry.TooLongError
	if errors.As(err, &long) {
		last.NoTimeToWait = long.Wait
	}
	return sent, last
}

// ErrRunTimeout marks a call that the run's timeout cut short.
var ErrRunTimeout = errors.New("the run's timeout ran out")

// runEnded says in words why the run's context ended.
func runEnded(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w (%w)", ErrRunTimeout, err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("the run was cancelled (%w)", err)
	}
	return err
}

// classify turns one attempt's outcome into an error (nil on success) and
// a verdict on retrying it.
func classify(step Step, res *http.Response, env envelope, err error, runCtx, attemptCtx context.Context) (retry.Verdict, *Error) {
	if err == nil && res != nil && res.StatusCode/100 == 2 && env.success && (!env.needID || validID(env.id)) {
		return retry.Verdict{}, nil // an answer that came is kept, even at the deadline
	}
	e := &Error{Step: step}
	switch {
	case runCtx.Err() != nil:
		e.Err = runEnded(runCtx.Err())
		return retry.Verdict{}, e
	case err != nil && attemptCtx.Err() != nil:
		e.Err = errTimedOut
		return retry.Verdict{Retry: true}, e
	case err != nil && res == nil:
		e.Err = err // connection refused or reset
		return retry.Verdict{Retry: true}, e
	}
	e.Status = res.StatusCode
	var apiErr *cache.Error
	switch {
	case res.StatusCode/100 == 3:
		// Redirects are not followed: credentials go to api-url only.
		e.Err = fmt.Errorf("api-url answered a redirect to %q, which is not followed: set api-url to the final URL", res.Header.Get("Location"))
	case errors.As(err, &apiErr):
		for _, d := range apiErr.Errors {
			e.Details = append(e.Details, Detail{Code: int(d.Code), Message: d.Message})
		}
		if len(e.Details) == 0 && !json.Valid([]byte(apiErr.JSON.RawJSON())) {
			// The SDK takes any error body, an HTML page from a proxy too.
			e.Err = ErrNotJSON
		}
	case err != nil:
		// An HTML error page from a proxy, or a body cut off mid-way.
		e.Err = ErrNotJSON
	case !env.success && env.hasResult:
		e.Details = env.errors
		if len(e.Details) == 0 {
			e.Err = errNoSuccess
		}
	case env.needID && !validID(env.id):
		e.Err = errNoID
		return retry.Verdict{}, e
	default:
		return retry.Verdict{}, nil
	}
	s := e.Status
	retryable := s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500 ||
		e.Code() == 1134 || (s < 300 && e.Err == ErrNotJSON)
	return retry.Verdict{Retry: retryable, After: retryAfter(res)}, e
}

// validID accepts what Cloudflare's ids look like (API.md: at most 32
// characters; hex in practice), with room to spare. Ids are written to the
// outputs and the summary: one with a line break could forge an output.
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// retryAfter reads Retry-After in seconds (or as an HTTP date).
func retryAfter(res *http.Response) time.Duration {
	if res == nil {
		return 0
	}
	v := strings.TrimSpace(res.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// details copies Cloudflare's errors[] out of the SDK's envelope.
func details(in []cache.ResponseInfo) []Detail {
	var out []Detail
	for _, d := range in {
		out = append(out, Detail{Code: int(d.Code), Message: d.Message})
	}
	return out
}
