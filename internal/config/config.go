package config

import (
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
)

// Config is one run's validated configuration.
type Config struct {
	Auth Auth

	// Zones as given, deduplicated, in input order: at least one.
	Zones     []Zone
	AccountID string

	// Environments as given (names or refs), deduplicated, in input order.
	// Empty means Production only.
	Environments []string

	Items Items

	// FilesPerRequest is the URLs per purge request asked for; 0: the most
	// the zone's plan takes (plan.FilesPerRequest checks it against the plan).
	FilesPerRequest int
	// CLI: the inputs came as flags, and messages name them so (--files).
	CLI        bool
	DryRun     bool
	APIURL     string
	Timeout    time.Duration
	MaxRetries int

	// Invalidate: mark the items stale (invalidate_cache) instead of
	// deleting them (purge_cache).
	Invalidate bool
	// Verify: request VerifyURLs (empty: the purged plain files) through
	// each environment after the purge. With DryRun it is allowed and does
	// nothing, as the purge it would check: a workflow can dry-run its real
	// configuration, and the report says verification was skipped.
	Verify     bool
	VerifyURLs []string
	// EdgeURL is where requests to the sites go instead of each URL's
	// host: a scheme and a host (lower-cased) with its port only; nil: the
	// URL's host.
	EdgeURL *url.URL

	// Expect is what the new deploy serves (expect-header, expect-body):
	// Wait waits for it, verification checks it.
	Expect Expectation
	// Wait is how long to wait, before the first purge, until WaitURLs
	// serve Expect through each environment; 0: no wait.
	Wait time.Duration
	// WaitURLs are polled while waiting; empty: the verification URLs, each
	// with a query parameter of the run's own (see package wait).
	WaitURLs []string
	// Warm: after the purge and any verification, request the verification
	// URLs and WarmSitemap's pages through each environment.
	Warm        bool
	WarmSitemap string

	// Rewrites counts the URLs given that are sent otherwise: as the
	// cache keys they name (see CacheKeyURL). The log says so, once.
	Rewrites Rewrites

	// IfNoCredentials is what a run without credentials does. When it
	// skips, Skipped says why (naming the inputs as the user gave them)
	// and the run sends nothing; Auth is then empty, and so may Zone be
	// (a fork's run gets no zone from a secret either).
	IfNoCredentials IfNoCredentials
	Skipped         string
}

// Rewrites counts the URLs changed into the cache keys they name, with
// the first one as an example.
type Rewrites struct {
	Count       int
	Given, Sent string
}

func (r *Rewrites) note(given, sent string) {
	if r == nil {
		return
	}
	if r.Count == 0 {
		r.Given, r.Sent = given, sent
	}
	r.Count++
}

// Zone is one zone as given: its ID, or else its name to look up.
type Zone struct {
	ID   string // 32 hexadecimal characters, lower case
	Name string // a domain name, lower case, without a final dot
}

// String is the zone as the user gave it: its ID or its name.
func (z Zone) String() string {
	if z.ID != "" {
		return z.ID
	}
	return z.Name
}

// Auth holds the credentials: either Token, or Key and Email.
type Auth struct {
	Token string
	Key   string
	Email string
}

// Secrets returns the values that must never be printed.
func (a Auth) Secrets() []string {
	var s []string
	for _, v := range []string{a.Token, a.Key, a.Email} {
		if v != "" {
			s = append(s, v)
		}
	}
	return s
}

// Items is what to purge in each environment.
type Items struct {
	Files      []File
	Tags       []string
	Hosts      []string
	Prefixes   []string
	Everything bool
}

// Count is the number of items that one environment's purge covers;
// purge everything counts as one.
func (it Items) Count() int {
	n := len(it.Files) + len(it.Tags) + len(it.Hosts) + len(it.Prefixes)
	if it.Everything {
		n++
	}
	return n
}

// File is one URL to purge, with the request headers that make up its cache
// key when the zone uses custom cache keys.
type File struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
}

// Source supplies raw input values.
type Source struct {
	// Input returns an input's value; "" means not given.
	Input func(name string) string
	// Getenv reads environment variables (the inputs' fallbacks).
	Getenv func(string) string
	// Dir is where a relative files-from path is read from: the workspace
	// in the action, which files-from must not leave; in the CLI, the
	// directory relative paths start from. Empty: the current directory.
	Dir string
	// Stdin is read for files-from "-" (the CLI); nil disallows it.
	Stdin io.Reader
	// CLI: the inputs are the command line's flags. Messages name them
	// (--files) and files-from may be any regular file, not only one in
	// the workspace.
	CLI bool
}

// Load is LoadContext without a deadline.
func Load(src Source) (*Config, error) { return LoadContext(context.Background(), src) }

// LoadContext reads every input, applies environment fallbacks and
// defaults, and validates everything. The error joins one *InputError per
// problem, in one order: the credentials, the zone and environments, the
// numbers and switches, the URLs, then what to purge and to verify. When
// ctx ends while files-from is read, the error is ctx's, wrapped, alone.
func LoadContext(ctx context.Context, src Source) (*Config, error) {
	c := &Config{CLI: src.CLI}
	l := &loader{src: src, n: naming{cli: src.CLI, rw: &c.Rewrites}}

	var err error
	token, key, email := l.raw(InputAPIToken), l.raw(InputAPIKey), l.raw(InputAPIEmail)
	l.red = redact.New(Auth{Token: token, Key: key, Email: email}.Secrets()...)
	if v, ok := l.value(InputIfNoCredentials); ok {
		c.IfNoCredentials, err = parseIfNoCredentials(v)
		l.check(err)
	}
	if token == "" && key == "" && email == "" && c.IfNoCredentials.skips() {
		// The other inputs are still checked: a mistake shows in a fork's
		// pull request too, before it costs a run on main.
		c.Skipped = skipReason(c.IfNoCredentials, l.n)
	} else {
		c.Auth, err = parseAuth(token, key, email, l.n)
		l.check(err)
	}

	if v, ok := l.value(InputZone); ok && !(c.Skipped != "" && v == "") {
		c.Zones, err = parseZones(v)
		l.check(err)
	}
	if v, ok := l.value(InputAccountID); ok && v != "" {
		if !isHexID(v) {
			l.check(inputErr(InputAccountID, v, "must be an account ID of 32 hexadecimal characters"))
		}
		c.AccountID = strings.ToLower(v)
	}
	if v, ok := l.value(InputEnvironment); ok {
		c.Environments, err = ParseEnvironments(v)
		l.check(err)
	}

	if v, ok := l.value(InputFilesPerRequest); ok && v != "" {
		c.FilesPerRequest, err = parseInt(InputFilesPerRequest, v, 1, 500)
		l.check(err)
	}
	if v, ok := l.value(InputMaxRetries); ok {
		c.MaxRetries, err = parseInt(InputMaxRetries, v, 0, 20)
		l.check(err)
	}
	if v, ok := l.value(InputTimeout); ok {
		c.Timeout, err = parseDuration(InputTimeout, v)
		l.check(err)
	}
	c.DryRun = l.bool(InputDryRun)
	c.Invalidate = l.bool(InputInvalidate)
	c.Verify = l.bool(InputVerify)

	if v, ok := l.value(InputAPIURL); ok {
		c.APIURL, err = parseAPIURL(v, l.n)
		l.check(err)
	}
	if v, ok := l.value(InputEdgeURL); ok {
		c.EdgeURL, err = parseEdgeURL(v)
		l.check(err)
	}

	if c.Timeout > 0 {
		// files-from is read under the run's deadline: a slow or stuck
		// file must not outlast timeout.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	c.Items = l.items(ctx)

	// verify-urls is read whether or not verify is on, so that a workflow
	// that turns verify on by an expression finds its mistakes early.
	if v, ok := l.value(InputVerifyURLs); ok {
		c.VerifyURLs, err = parseVerifyURLs(v, l.n)
		l.check(err)
	}

	l.deploy(c)

	if l.stopped != nil {
		return nil, l.stopped
	}
	if len(l.errs) > 0 {
		problems := Problems(errors.Join(l.errs...))
		l.hide(problems)
		return nil, errors.Join(problems...)
	}
	return c, nil
}

// loader holds one Load's state: the problems found so far, in order.
type loader struct {
	src     Source
	n       naming
	red     *redact.Redactor // the credentials, once read
	errs    []error
	stopped error // ctx ended while reading
}

func (l *loader) check(err error) {
	if err != nil {
		l.errs = append(l.errs, err)
	}
}

// raw returns an input's value, trimmed, else its environment fallback,
// else its default.
func (l *loader) raw(name string) string {
	in := lookupInput(name)
	v := strings.TrimSpace(l.src.Input(name))
	if v == "" && in.Env != "" && l.src.Getenv != nil {
		v = strings.TrimSpace(l.src.Getenv(in.Env))
	}
	if v == "" {
		v = in.Default
	}
	return v
}

// value returns an input's value, or false when it holds a credential.
// Such an input is refused whatever else it holds: its value would be
// printed in errors, logs, the summary or the result (perhaps
// lower-cased, as host names are, which the runner's mask would miss),
// and api-url's in every debug line and network error. Its other problems
// are not looked for: they would quote the value.
func (l *loader) value(name string) (string, bool) {
	v := l.raw(name)
	if l.red.Contains(v) {
		l.check(inputErr(name, "", "%s", credentialProblem(l.n)))
		return "", false
	}
	return v, true
}

// bool reads a boolean input; false when it is refused.
func (l *loader) bool(name string) bool {
	v, ok := l.value(name)
	if !ok {
		return false
	}
	b, err := ParseBool(name, v)
	l.check(err)
	return b
}

// items reads files, files-from, tags, hosts, prefixes and
// purge-everything, and checks that they make one valid purge.
func (l *loader) items(ctx context.Context) Items {
	var it Items
	before := len(l.errs)

	// With a bad base-url, its paths cannot be read: one error, not one
	// per path.
	baseV, baseOK := l.value(InputBaseURL)
	base, err := parseBaseURL(baseV)
	l.check(err)
	baseOK = baseOK && err == nil
	if k, err := CacheKeyURL(baseV); baseOK && base != nil && err == nil && !strings.EqualFold(k, baseV) {
		l.n.rw.note(baseV, k)
	}

	files := newFileSet(l.n)
	add := func(f File) error {
		// A files-from line, once unquoted and joined, is checked here:
		// value checks the inputs as they are.
		if l.holds(f) {
			return errors.New(credentialProblem(l.n))
		}
		return files.add(f)
	}
	if v, ok := l.value(InputFiles); ok && baseOK {
		l.check(parseFiles(strings.NewReader(v), InputFiles, base, l.n, add))
	}
	if path, ok := l.value(InputFilesFrom); ok && path != "" && baseOK {
		err := readFilesFrom(ctx, l.src, l.n, path, base, add)
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			l.stopped = err
		} else {
			l.check(err)
		}
	}
	it.Files = files.list

	if v, ok := l.value(InputTags); ok {
		it.Tags, err = parseTags(v, l.n)
		l.check(err)
	}
	if v, ok := l.value(InputHosts); ok {
		it.Hosts, err = parseHosts(v, l.n)
		l.check(err)
	}
	if v, ok := l.value(InputPrefixes); ok {
		it.Prefixes, err = parsePrefixes(v, l.n)
		l.check(err)
	}
	it.Everything = l.bool(InputPurgeEverything)

	lists := len(it.Files) + len(it.Tags) + len(it.Hosts) + len(it.Prefixes)
	switch {
	case len(l.errs) > before || l.stopped != nil:
		// What to purge is not known: no more to say about it.
	case it.Everything && lists > 0:
		l.check(inputErr(InputPurgeEverything, "true", "cannot be combined with %s: purge everything already covers them; remove one or the other",
			l.n.list(InputFiles, InputFilesFrom, InputTags, InputHosts, InputPrefixes)))
	case !it.Everything && lists == 0 && l.n.cli:
		l.check(inputErr(InputFiles, "", "nothing to purge: give %s, or %s",
			l.n.list(InputFiles, InputFilesFrom, InputTags, InputHosts, InputPrefixes), l.n.on(InputPurgeEverything)))
	case !it.Everything && lists == 0:
		l.check(inputErr(InputFiles, "", "nothing to purge: set %s, or %s",
			l.n.list(InputFiles, InputFilesFrom, InputTags, InputHosts, InputPrefixes), l.n.on(InputPurgeEverything)))
	}
	return it
}

// deploy reads what a deploy that lands needs: the expectation, the wait
// and its URLs, warming and its sitemap; and checks that they fit together
// and with what is purged and verified.
func (l *loader) deploy(c *Config) {
	before := len(l.errs)
	var err error
	if v, ok := l.value(InputExpectHeader); ok {
		c.Expect.Header, c.Expect.Value, err = parseExpectHeader(v)
		l.check(err)
	}
	if v, ok := l.value(InputExpectBody); ok {
		c.Expect.Body, err = parseExpectBody(v)
		l.check(err)
	}
	waitGiven := ""
	if v, ok := l.value(InputWait); ok {
		c.Wait, err = parseWait(v)
		l.check(err)
		waitGiven = v
	}
	if v, ok := l.value(InputWaitURLs); ok {
		c.WaitURLs, err = parseURLList(InputWaitURLs, v, l.n)
		l.check(err)
	}
	c.Warm = l.bool(InputWarm)
	if v, ok := l.value(InputWarmSitemap); ok {
		c.WarmSitemap, err = parseSitemapURL(v, l.n)
		l.check(err)
	}
	if len(l.errs) > before {
		return
	}
	wait := l.n.name(InputWait)
	switch {
	case c.Wait > 0 && !c.Expect.IsSet():
		l.check(inputErr(InputWait, waitGiven, "needs %s or %s: without an expectation there is nothing to wait for",
			l.n.name(InputExpectHeader), l.n.name(InputExpectBody)))
	case c.Wait > 0 && c.Timeout > 0 && c.Wait >= c.Timeout:
		l.check(inputErr(InputWait, waitGiven, "must be shorter than %s (%s): the purge, verification and warming come after the wait; raise %s or shorten %s",
			l.n.name(InputTimeout), c.Timeout, l.n.name(InputTimeout), wait))
	case c.Wait > 0 && len(c.WaitURLs) == 0 && len(c.VerifyURLs) == 0 && !hasPlainFile(c.Items):
		l.check(inputErr(InputWait, waitGiven, "has no URL to poll: give %s (a version endpoint, a page the deploy changes) or %s",
			l.n.name(InputWaitURLs), l.n.name(InputVerifyURLs)))
	}
	switch {
	case c.WarmSitemap != "" && !c.Warm:
		l.check(inputErr(InputWarmSitemap, c.WarmSitemap, "is only read with %s; turn it on, or remove %s", l.n.on(InputWarm), l.n.name(InputWarmSitemap)))
	case c.Warm && c.WarmSitemap == "" && len(c.VerifyURLs) == 0 && !hasPlainFile(c.Items):
		l.check(inputErr(InputWarm, "true", "has no URL to request: give %s or %s (a purge by tags, hosts, prefixes or everything names no page)",
			l.n.name(InputWarmSitemap), l.n.name(InputVerifyURLs)))
	}
}

// hasPlainFile tells whether the purge names a URL without headers: one
// that a plain request reaches, so verification, wait and warm default to it.
func hasPlainFile(it Items) bool {
	for _, f := range it.Files {
		if len(f.Headers) == 0 {
			return true
		}
	}
	return false
}
