package cloudflare

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cloudflare/cloudflare-go/v7/option"

	"github.com/cloudflare-purge/cloudflare-purge/internal/pace"
	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
)

// request is one API call for call to run.
type request struct {
	step Step
	pace pace.Call // what the pacer is told before each attempt
	// send makes one attempt through the SDK with the given options added.
	send func(ctx context.Context, opts ...option.RequestOption) error
	// read takes the "result" of an answer with "success": true; its error
	// fails the call for good.
	read func(result json.RawMessage) error
}

var (
	errNoID = errors.New("the API answered success but sent no purge id (or not a valid one: a JSON string of at most 32 hexadecimal characters)")
	// ErrNotJSON marks a failure whose answer was no API answer at all.
	ErrNotJSON    = errors.New("the response was not Cloudflare JSON (a proxy error page or a cut-off body)")
	errBadID      = errors.New("the API answered an id that is not an id (at most 32 hexadecimal characters): it was not used")
	errBadIDIn    = errors.New("not a Cloudflare id")
	errBadShape   = errors.New("the API's answer does not have the shape Cloudflare documents: it was not used")
	errOtherZone  = errors.New("the API answered about another zone than the one asked for: it was not used")
	errTimedOut   = errors.New("no answer within the request timeout")
	errNoSuccess  = errors.New(`the API answered "success": false`)
	errNotTrue    = errors.New(`the API's answer has no "success": true (the JSON boolean): it was not taken for success`)
	errNoResponse = errors.New("no response")
)

type sendHookKey struct{}

// OnSend returns ctx with f to be called with the time each attempt of a
// call made with it leaves, past the pacer: verification judges a cached
// copy's age against when an environment's first purge was sent.
func OnSend(ctx context.Context, f func(time.Time)) context.Context {
	return context.WithValue(ctx, sendHookKey{}, f)
}

// call runs one API call under the retry policy: the pacer's turn before
// each attempt, a per-attempt timeout, and the pacer told of each answer.
func (c *Client) call(ctx context.Context, r request) (attempts int, err error) {
	defer func() {
		// The error's texts are cut when printed: after the credentials
		// are hidden, never before.
		if e, ok := err.(*Error); ok {
			e.red = c.o.red
		}
	}()
	var last *Error
	sent := 0 // attempts that reached the network: not one the run ended in the pacer's wait
	_, err = c.o.Retry.Do(ctx, c.o.Sleep, func(ctx context.Context) (retry.Verdict, error) {
		done := func(pace.Answer) {}
		if c.o.Pacer != nil {
			d, err := c.o.Pacer.Wait(ctx, r.pace)
			if err != nil {
				return retry.Verdict{}, err
			}
			if d != nil {
				done = d
			}
		}
		actx, cancel := context.WithTimeout(ctx, c.o.RequestTimeout)
		defer cancel()
		if f, ok := ctx.Value(sendHookKey{}).(func(time.Time)); ok {
			f(time.Now())
		}
		sent++
		var res *http.Response
		var raw []byte
		serr := r.send(actx, option.WithResponseInto(&res), option.WithResponseBodyInto(&raw))
		if serr != nil && res != nil && res.StatusCode >= 400 && res.Body != nil && !errors.Is(serr, ErrTooLarge) {
			// The SDK read an error's body (under the cap) and put it back.
			raw, _ = io.ReadAll(io.LimitReader(res.Body, MaxAnswerBytes))
		}
		answer, v, e := judge(r, res, raw, serr, ctx, actx, c.o.red)
		done(answer)
		if e != nil {
			last = e
			return v, e
		}
		return v, nil
	})
	if err == nil {
		return sent, nil
	}
	var held *pace.TooLongError
	if errors.As(err, &held) && ctx.Err() == nil {
		// The pacer would have held the call past the deadline: a wait of
		// its own or one Cloudflare asked for, not the run's end.
		return sent, &Error{Step: r.step, Attempts: sent, Err: held, NoTimeToWait: held.Wait, TimeLeft: held.Left, WaitAsked: held.Why != "the purge budget"}
	}
	if last == nil || !errors.As(err, &last) {
		// The run's context ended before an attempt completed.
		return sent, &Error{Step: r.step, Attempts: sent, Err: runEnded(err)}
	}
	if ctx.Err() != nil && last.Status != 0 && !errors.Is(last.Err, ErrRunTimeout) && !errors.Is(last.Err, context.Canceled) {
		// The run ended while waiting to retry: that is why it failed,
		// not the answer that asked for the retry.
		return sent, &Error{Step: r.step, Attempts: sent, Err: fmt.Errorf("%w, while waiting to retry after: %s", runEnded(ctx.Err()), hide(c.o.red, last.message(), 200))}
	}
	last.Attempts = sent
	var long *retry.TooLongError
	if errors.As(err, &long) {
		last.NoTimeToWait, last.TimeLeft, last.WaitAsked = long.Wait, long.Left, long.Asked
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

// judge turns one attempt's outcome into what the pacer is told, a verdict
// on retrying, and an error (nil on success).
func judge(r request, res *http.Response, raw []byte, err error, runCtx, attemptCtx context.Context, red *redact.Redactor) (pace.Answer, retry.Verdict, *Error) {
	var answer pace.Answer
	var after time.Duration
	var asked bool
	if res != nil {
		after, asked = retryAfter(res.Header.Get("Retry-After"), time.Now())
		answer = pace.Answer{Status: res.StatusCode, Header: res.Header, RetryAfter: after}
	}
	b, isJSON := parseBody(raw, red)
	if len(b.details) > 0 {
		answer.Code = b.details[0].Code
	}
	var readErr error
	if err == nil && res != nil && res.StatusCode/100 == 2 && isJSON && b.success == successTrue && !b.duplicateKey {
		if readErr = r.read(b.result); readErr == nil {
			return answer, retry.Verdict{}, nil // an answer that came is kept, even at the deadline
		}
	}

	e := &Error{Step: r.step}
	switch {
	case runCtx.Err() != nil:
		e.Err = runEnded(runCtx.Err())
		return answer, retry.Verdict{}, e
	case errors.Is(err, errNotAPurge):
		e.Err = errNotAPurge
		return answer, retry.Verdict{}, e
	case errors.Is(err, ErrTooLarge):
		e.Status, e.Err = answer.Status, ErrTooLarge
		return answer, retry.Verdict{}, e
	case err != nil && attemptCtx.Err() != nil:
		e.Err = errTimedOut
		return pace.Answer{}, retry.Verdict{Retry: true}, e
	case res == nil:
		e.Err = err // connection refused or reset
		if e.Err == nil {
			e.Err = errNoResponse
		}
		return answer, retry.Verdict{Retry: true}, e
	}
	s := res.StatusCode
	e.Status = s
	switch {
	case s/100 == 3:
		// Redirects are not followed: credentials go to api-url only.
		e.Err = fmt.Errorf("api-url answered a redirect to %q, which is not followed: set api-url to the final URL", hide(red, res.Header.Get("Location"), 200))
	case !isJSON:
		// An HTML error page from a proxy, or a body cut off mid-way.
		e.Err = ErrNotJSON
	case s/100 != 2:
		e.Details = b.details
	case b.duplicateKey:
		e.Err = errDuplicateKey
		return answer, retry.Verdict{}, e
	case b.success == successFalse:
		e.Details = b.details
		if len(e.Details) == 0 {
			e.Err = errNoSuccess
		}
	case b.success != successTrue:
		e.Err = errNotTrue
		return answer, retry.Verdict{}, e
	case readErr != nil:
		e.Err = readErr
		return answer, retry.Verdict{}, e
	default:
		// A 2xx JSON answer with "success": true and an SDK error: none is
		// known, but no answer is taken for success unread.
		e.Err = ErrNotJSON
	}
	retryable := s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500 ||
		e.Code() == 1134 || e.Code() == 971 || (s/100 == 2 && errors.Is(e.Err, ErrNotJSON))
	// The purge budget is the account's, shared with every job purging on
	// it: its refusal is retried while the run's time allows, not counted
	// against max-retries (which bounds failures: 5xx, the network, the
	// API-wide limit). The pacer spreads these retries.
	contention := r.pace.Purge && (e.Code() == 1134 || (s == http.StatusTooManyRequests && e.Code() != 971))
	return answer, retry.Verdict{Retry: retryable, After: after, Asked: asked, Contention: contention}, e
}

// success is what an answer's "success" member holds.
type success int

const (
	successOther success = iota // absent, or not a JSON boolean
	successTrue
	successFalse
)

// body is an API answer read strictly: the SDK's decoding takes "true" for
// true and 123 for "123", and keys in any case.
type body struct {
	success success
	details []Detail
	result  json.RawMessage
	// duplicateKey: some object gives a key twice; never a success.
	duplicateKey bool
}

// maxDetails bounds the errors[] entries kept; maxMessage, each message.
const (
	maxDetails = 5
	maxMessage = 1000
	maxName    = 256
)

// parseBody reads an answer's envelope; false when it is no JSON object.
// The credentials are hidden in its messages before they are cut.
func parseBody(raw []byte, red *redact.Redactor) (body, bool) {
	top, ok := object(raw)
	if !ok {
		return body{}, false
	}
	b := body{duplicateKey: duplicateKey(raw)}
	switch string(bytes.TrimSpace(top["success"])) {
	case "true":
		b.success = successTrue
	case "false":
		b.success = successFalse
	}
	b.result = top["result"]
	var errs []json.RawMessage
	if json.Unmarshal(top["errors"], &errs) == nil {
		for _, raw := range errs[:min(len(errs), maxDetails)] {
			d, _ := object(raw)
			code, _ := integer(d["code"])
			msg, _ := str(d["message"])
			b.details = append(b.details, Detail{Code: code, Message: hide(red, msg, maxMessage)})
		}
	}
	return b, true
}

// object decodes a JSON object with its keys as sent (no case folding).
func object(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil, false
	}
	return m, true
}

// str reads a JSON string; absent or null is "" and fine, anything else not.
func str(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	if raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// integer reads a JSON number that is a whole int.
func integer(raw json.RawMessage) (int, bool) {
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// id reads an id: a JSON string of Cloudflare's form, nothing else.
func id(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	s, ok := str(raw)
	return s, ok && validID(s)
}

// readPurgeID reads a purge's (or invalidation's) result: {"id": "..."}.
func readPurgeID(result json.RawMessage) (string, error) {
	m, _ := object(result)
	v, ok := id(m["id"])
	if !ok {
		return "", errNoID
	}
	return v, nil
}

// readZones reads a zone lookup's result: an array of zones.
func readZones(result json.RawMessage) ([]Zone, error) {
	if t := bytes.TrimSpace(result); len(t) == 0 || string(t) == "null" {
		return nil, nil
	}
	var list []json.RawMessage
	if json.Unmarshal(result, &list) != nil {
		return nil, errBadShape
	}
	zs := make([]Zone, 0, len(list))
	for _, raw := range list {
		z, err := readZone(raw)
		if err != nil {
			return nil, err
		}
		zs = append(zs, z)
	}
	return zs, nil
}

// readZone reads one zone object; its id and its account's must be ids.
func readZone(raw json.RawMessage) (Zone, error) {
	m, ok := object(raw)
	if !ok {
		return Zone{}, errBadShape
	}
	var z Zone
	if z.ID, ok = id(m["id"]); !ok {
		return Zone{}, errBadID
	}
	name, ok1 := str(m["name"])
	account, _ := object(m["account"])
	accountID, ok2 := str(account["id"])
	accountName, ok3 := str(account["name"])
	plan, _ := object(m["plan"])
	legacy, ok4 := str(plan["legacy_id"])
	planName, ok5 := str(plan["name"])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return Zone{}, errBadShape
	}
	if accountID != "" && !validID(accountID) {
		return Zone{}, errBadID
	}
	z.Name, z.AccountID, z.AccountName = cleanName(name), accountID, cleanName(accountName)
	z.Plan = cleanName(legacy)
	if z.Plan == "" {
		z.Plan = cleanName(planName)
	}
	return z, nil
}

// readEnvironments reads the environments list's result:
// {"environments": [{"name", "ref", "expression", ...}]}.
func readEnvironments(result json.RawMessage) ([]Environment, error) {
	if t := bytes.TrimSpace(result); len(t) == 0 || string(t) == "null" {
		return nil, nil
	}
	m, ok := object(result)
	if !ok {
		return nil, errBadShape
	}
	var list []json.RawMessage
	if t := bytes.TrimSpace(m["environments"]); len(t) != 0 && string(t) != "null" && json.Unmarshal(t, &list) != nil {
		return nil, errBadShape
	}
	envs := make([]Environment, 0, len(list))
	for _, raw := range list {
		e, ok := object(raw)
		if !ok {
			return nil, errBadShape
		}
		ref, ok := id(e["ref"])
		if !ok {
			return nil, errBadID
		}
		name, ok1 := str(e["name"])
		expr, ok2 := str(e["expression"])
		if !ok1 || !ok2 {
			return nil, errBadShape
		}
		// The expression is kept as sent (it may span lines), only made
		// valid UTF-8: it is matched, not printed as a name.
		envs = append(envs, Environment{Name: cleanName(name), Ref: ref, Expression: strings.ToValidUTF8(expr, "\uFFFD")})
	}
	return envs, nil
}

// validID accepts the form of Cloudflare's ids. Ids go into paths, the
// outputs and the summary: nothing else may pass.
func validID(s string) bool { return result.IsID(s) }

// cleanName makes a name the server supplies safe to print: no line
// breaks nor control characters (they could start a workflow command on a
// line of their own), valid UTF-8, at most maxName characters.
func cleanName(s string) string {
	return clip(strings.Map(func(r rune) rune {
		if unprintable(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD")), maxName)
}

// hide makes a text the server supplies (or an error that may quote it)
// safe to print, in this order: cleaned, so that a secret broken up by
// characters that are dropped is whole again; its credentials hidden;
// then cut to n characters, so that a cut never leaves part of a secret
// that the redactor would not know.
func hide(red *redact.Redactor, s string, n int) string {
	return clip(red.String(cleanMessage(s)), n)
}

// cleanMessage is cleanName for prose: each run of white space and line
// breaks becomes one space; other control and format characters (NUL,
// zero-width ones) are dropped, so that they cannot hide what they sit in.
func cleanMessage(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' {
			space = true
			continue
		}
		if unprintable(r) {
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// unprintable is a control or format character, or a line or paragraph
// separator: what may break a line or hide text in a log.
func unprintable(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}

// clip cuts s to at most n characters, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, k := 0, 0
	for i = range s {
		if k == n-1 {
			break
		}
		k++
	}
	return s[:i] + "…"
}

// maxRetryAfter bounds a Retry-After so that no arithmetic overflows;
// any wait that long fails the request at once anyway.
const maxRetryAfter = 30 * 24 * time.Hour

// retryAfter reads Retry-After in seconds (or as an HTTP date); asked is
// false when there is none that can be read.
func retryAfter(v string, now time.Time) (d time.Duration, asked bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(secs) && secs >= 0 {
		if secs >= maxRetryAfter.Seconds() {
			return maxRetryAfter, true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}
