package config

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Config is one run's validated configuration.
type Config struct {
	Auth Auth

	// Zone is a zone ID when ZoneIsID, else a zone name to look up.
	Zone      string
	ZoneIsID  bool
	AccountID string

	// Environments as given (names or refs), deduplicated, in input order.
	// Empty means Production only.
	Environments []string

	Items Items

	FilesPerRequest int
	DryRun          bool
	APIURL          string
	Timeout         time.Duration
	MaxRetries      int
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
	// Dir is where a relative files-from path is read from (the workspace).
	Dir string
	// Stdin is read for files-from "-" (CLI only); nil disallows it.
	Stdin io.Reader
}

// ErrInvalidInput marks every configuration error: the run is refused with
// exit code 2 before any request is sent.
var ErrInvalidInput = errors.New("invalid input")

// InputError is a problem with one input's value. Value is empty for secrets.
type InputError struct {
	Input   string
	Value   string
	Problem string
}

func (e *InputError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("input %s: %s", e.Input, e.Problem)
	}
	return fmt.Sprintf("input %s: %s: %s", e.Input, quote(e.Value), e.Problem)
}

func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// quote shows user text safely in one line, shortened when long.
func quote(s string) string {
	const max = 120
	if len(s) > max {
		s = s[:max] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func inputErr(input, value, format string, args ...any) error {
	return &InputError{Input: input, Value: value, Problem: fmt.Sprintf(format, args...)}
}

// Load reads every input, applies environment fallbacks and defaults, and
// validates everything. The error joins one *InputError per problem found.
func Load(src Source) (*Config, error) {
	get := func(name string) string {
		in := lookupInput(name)
		v := strings.TrimSpace(src.Input(name))
		if v == "" && in.Env != "" && src.Getenv != nil {
			v = strings.TrimSpace(src.Getenv(in.Env))
		}
		if v == "" {
			v = in.Default
		}
		return v
	}

	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	c := &Config{}

	auth, err := parseAuth(get(InputAPIToken), get(InputAPIKey), get(InputAPIEmail))
	check(err)
	c.Auth = auth
	secrets := auth.Secrets()

	// An input that holds a credential is refused whatever else it holds:
	// its value would be printed in errors, logs, the summary or the result
	// (perhaps lower-cased, as host names are, which the runner's mask
	// would miss), and api-url's in every debug line and network error.
	// Its other problems are not reported: they would quote the value.
	var credErrs []error
	hidden := map[string]bool{}
	for _, name := range []string{InputZone, InputAccountID, InputEnvironment, InputFiles, InputFilesFrom,
		InputBaseURL, InputTags, InputHosts, InputPrefixes, InputAPIURL} {
		if err := credentialErr(name, get(name), secrets); err != nil {
			credErrs = append(credErrs, err)
			hidden[name] = true
		}
	}
	if hidden[InputBaseURL] {
		// Paths joined to it would hold the credential too.
		hidden[InputFiles], hidden[InputFilesFrom] = true, true
	}

	c.Zone, c.ZoneIsID, err = parseZone(get(InputZone))
	check(err)
	if v := get(InputAccountID); v != "" {
		if !isHexID(v) {
			check(inputErr(InputAccountID, v, "must be an account ID of 32 hexadecimal characters"))
		}
		c.AccountID = strings.ToLower(v)
	}
	c.Environments, err = ParseEnvironments(get(InputEnvironment))
	check(err)

	c.FilesPerRequest, err = parseInt(InputFilesPerRequest, get(InputFilesPerRequest), 1, 500)
	check(err)
	c.MaxRetries, err = parseInt(InputMaxRetries, get(InputMaxRetries), 0, 20)
	check(err)
	c.Timeout, err = parseDuration(InputTimeout, get(InputTimeout))
	check(err)
	c.DryRun, err = ParseBool(InputDryRun, get(InputDryRun))
	check(err)
	c.APIURL, err = parseAPIURL(get(InputAPIURL))
	check(err)

	items, itemErrs := loadItems(src, get, secrets)
	errs = append(errs, itemErrs...)
	c.Items = items

	if len(errs) > 0 || len(credErrs) > 0 {
		errs = Problems(errors.Join(errs...))
		for _, err := range errs {
			if ie, ok := err.(*InputError); !ok || !hidden[ie.Input] {
				credErrs = append(credErrs, err)
			}
		}
		hideSecrets(credErrs, secrets)
		return nil, errors.Join(credErrs...)
	}
	return c, nil
}

// credentialProblem is the error for a value that holds a credential.
const credentialProblem = "value hidden: it contains a credential; give the API token, key and email only as api-token, api-key and api-email"

// credentialErr refuses a value that holds one of the credentials, in any
// case.
func credentialErr(input, v string, secrets []string) error {
	if containsAny(v, secrets) {
		return inputErr(input, "", credentialProblem)
	}
	return nil
}

// fileHolds tells whether a file's URL, decoded or not, or its headers hold
// one of the credentials, in any case.
func fileHolds(f File, secrets []string) bool {
	if containsAny(f.URL, secrets) {
		return true
	}
	if u, err := url.PathUnescape(f.URL); err == nil && containsAny(u, secrets) {
		return true
	}
	for k, v := range f.Headers {
		if containsAny(k, secrets) || containsAny(v, secrets) {
			return true
		}
	}
	return false
}

// hideSecrets drops the value from the errors about an input that holds
// a credential, such as a token pasted into zone: messages quote values,
// shortened, and a shortened secret would escape the log's masking.
// Some problems quote part of the value, maybe lower-cased: those parts
// are masked too.
func hideSecrets(errs []error, secrets []string) {
	for _, err := range errs { // flat: Load passes them through Problems
		ie, ok := err.(*InputError)
		if !ok {
			continue
		}
		if containsAny(ie.Value, secrets) {
			ie.Value = ""
			ie.Problem += " (value hidden: it contains a credential)"
		}
		for _, s := range secrets {
			if s != "" {
				ie.Problem = regexp.MustCompile("(?i)"+regexp.QuoteMeta(s)).ReplaceAllString(ie.Problem, "***")
			}
		}
	}
}

// containsAny tells whether s holds one of subs, in any case.
func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if sub != "" && strings.Contains(strings.ToLower(s), strings.ToLower(sub)) {
			return true
		}
	}
	return false
}

// Problems lists the errors that a Load error joins, one per problem.
func Problems(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Problems(e)...)
		}
		return out
	}
	return []error{err}
}

func lookupInput(name string) Input {
	for _, in := range Inputs {
		if in.Name == name {
			return in
		}
	}
	panic("config: unknown input " + name)
}

func parseAuth(token, key, email string) (Auth, error) {
	a := Auth{Token: token, Key: key, Email: email}
	var errs []error
	for _, f := range []struct{ name, v string }{{InputAPIToken, token}, {InputAPIKey, key}, {InputAPIEmail, email}} {
		if strings.IndexFunc(f.v, isSpaceOrControl) >= 0 {
			errs = append(errs, inputErr(f.name, "", "contains spaces or control characters (value hidden); paste the secret without surrounding text"))
		}
	}
	if token != "" && len(token) < 8 {
		errs = append(errs, inputErr(InputAPIToken, "", "is too short to be a Cloudflare API token (value hidden)"))
	}
	if key != "" && len(key) < 8 {
		errs = append(errs, inputErr(InputAPIKey, "", "is too short to be a Cloudflare Global API key (value hidden)"))
	}
	if email != "" && (!strings.Contains(email, "@") || len(email) < 5) {
		errs = append(errs, inputErr(InputAPIEmail, "", "is not an email address (value hidden)"))
	}
	switch {
	case token != "" && (key != "" || email != ""):
		errs = append(errs, inputErr(InputAPIToken, "", "give either api-token or api-key with api-email, not both"))
	case token == "" && key == "" && email == "":
		errs = append(errs, inputErr(InputAPIToken, "", "no credentials: set api-token (or CLOUDFLARE_API_TOKEN), or api-key with api-email"))
	case token == "" && key == "":
		errs = append(errs, inputErr(InputAPIKey, "", "api-email is set but api-key is not: give both, or use api-token"))
	case token == "" && email == "":
		errs = append(errs, inputErr(InputAPIEmail, "", "api-key is set but api-email is not: the Global API key needs the account email"))
	}
	return a, errors.Join(errs...)
}

func parseAPIURL(v string) (string, error) {
	if v == "" {
		return DefaultAPIURL, nil
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return "", inputErr(InputAPIURL, v, "must be an absolute http or https URL such as %s", DefaultAPIURL)
	case u.User != nil:
		return "", inputErr(InputAPIURL, "", "must not contain credentials (value hidden); use api-token")
	case hasQueryOrFragment(u, v):
		return "", inputErr(InputAPIURL, v, "must not have a query or fragment")
	}
	return strings.TrimRight(v, "/"), nil
}

// hasQueryOrFragment tells whether the URL u, parsed from v, has a query or
// a fragment, empty ones included: "https://example.com/?" has no RawQuery
// but ForceQuery, and "https://example.com/#" no Fragment, yet either mark
// would end up inside every path joined to the URL.
func hasQueryOrFragment(u *url.URL, v string) bool {
	return u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(v, "#")
}

// loadItems reads files, files-from, tags, hosts, prefixes and
// purge-everything, and checks that they make one valid purge.
func loadItems(src Source, get func(string) string, secrets []string) (Items, []error) {
	var errs []error
	var it Items

	var base *url.URL
	if v := get(InputBaseURL); v != "" {
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || hasQueryOrFragment(u, v) {
			errs = append(errs, inputErr(InputBaseURL, v, "must be an absolute http or https URL without query, such as https://www.example.com/"))
		} else {
			base = u
		}
	}

	files := newFileSet()
	add := func(f File) error {
		// A files-from line, once unquoted and joined, is checked here:
		// Load checks the input values as they are.
		if fileHolds(f, secrets) {
			return errors.New(credentialProblem)
		}
		return files.add(f)
	}
	// With a bad base-url, its paths cannot be read: one error, not one per path.
	baseOK := base != nil || get(InputBaseURL) == ""
	if err := ParseFiles(strings.NewReader(get(InputFiles)), InputFiles, base, add); err != nil && baseOK {
		errs = append(errs, err)
	}
	if path := get(InputFilesFrom); path != "" && baseOK {
		if err := readFilesFrom(src, path, base, add); err != nil {
			errs = append(errs, err)
		}
	}
	it.Files = files.list

	var err error
	it.Tags, err = ParseTags(get(InputTags))
	errs = appendErr(errs, err)
	it.Hosts, err = ParseHosts(get(InputHosts))
	errs = appendErr(errs, err)
	it.Prefixes, err = ParsePrefixes(get(InputPrefixes))
	errs = appendErr(errs, err)
	it.Everything, err = ParseBool(InputPurgeEverything, get(InputPurgeEverything))
	errs = appendErr(errs, err)

	lists := len(it.Files) + len(it.Tags) + len(it.Hosts) + len(it.Prefixes)
	switch {
	case len(errs) > 0:
	case it.Everything && lists > 0:
		errs = append(errs, inputErr(InputPurgeEverything, "true", "cannot be combined with files, files-from, tags, hosts or prefixes: purge everything already covers them; remove one or the other"))
	case !it.Everything && lists == 0:
		errs = append(errs, inputErr(InputFiles, "", "nothing to purge: set files, files-from, tags, hosts or prefixes, or purge-everything: true"))
	}
	return it, errs
}

func appendErr(errs []error, err error) []error {
	if err != nil {
		return append(errs, err)
	}
	return errs
}

func readFilesFrom(src Source, path string, base *url.URL, add func(File) error) error {
	var r io.Reader
	if path == "-" {
		if src.Stdin == nil {
			return inputErr(InputFilesFrom, path, "standard input is only read by the CLI; give a file path relative to the workspace")
		}
		r = src.Stdin
	} else {
		full := path
		if !filepath.IsAbs(full) && src.Dir != "" {
			full = filepath.Join(src.Dir, path)
		}
		f, err := os.Open(full)
		if err != nil {
			return inputErr(InputFilesFrom, path, "cannot be read (%v); give a path relative to the workspace", unwrapPathError(err))
		}
		defer f.Close()
		r = f
	}
	return ParseFiles(r, InputFilesFrom, base, add)
}

// unwrapPathError keeps only the reason, since the path is already quoted.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
