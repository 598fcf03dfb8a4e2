package config

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

func parseAPIURL(v string, n naming) (string, error) {
	if v == "" {
		return DefaultAPIURL, nil
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return "", inputErr(InputAPIURL, v, "must be an absolute http or https URL such as %s", DefaultAPIURL)
	case u.User != nil:
		return "", inputErr(InputAPIURL, "", "must not contain credentials (value hidden); use %s", n.name(InputAPIToken))
	case hasQueryOrFragment(u, v):
		return "", inputErr(InputAPIURL, v, "must not have a query or fragment")
	}
	return strings.TrimRight(v, "/"), nil
}

// parseBaseURL reads base-url; nil when it is not given.
func parseBaseURL(v string) (*url.URL, error) {
	if v == "" {
		return nil, nil
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || hasQueryOrFragment(u, v):
		return nil, inputErr(InputBaseURL, v, "must be an absolute http or https URL without query, such as https://www.example.com/")
	case u.User != nil:
		// Every URL joined to it would hold them: refused here, once, and
		// not blamed on the paths.
		return nil, inputErr(InputBaseURL, v, "%s", credentialsInURL)
	}
	// The paths are joined to the cache key it names (an international
	// host in ASCII, which url.URL would write percent-encoded).
	k, err := CacheKeyURL(v)
	if err != nil {
		return nil, inputErr(InputBaseURL, v, "%v", err)
	}
	return url.Parse(k)
}

// parseEdgeURL reads edge-url: where verification requests go instead of
// each URL's own host. Only a scheme, a host and a port: the request's
// path is the verified URL's, and a credential would reach the site.
func parseEdgeURL(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "" || (u.Scheme != "http" && u.Scheme != "https"):
		return "", inputErr(InputEdgeURL, v, "must be an http or https URL of a host and port, such as http://127.0.0.1:8788")
	case u.User != nil:
		return "", inputErr(InputEdgeURL, v, "%s", credentialsInURL)
	case hasQueryOrFragment(u, v) || (u.Path != "" && u.Path != "/"):
		return "", inputErr(InputEdgeURL, v, "must be a host and port only, without path, query or fragment, such as http://127.0.0.1:8788: the path requested is the verified URL's")
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// maxVerifyURLs bounds verify-urls: each is requested once per
// environment, with re-requests while it looks stale.
const maxVerifyURLs = 1000

// parseVerifyURLs reads verify-urls, separated as files are (whitespace,
// lines, # comments), but plain http(s) URLs only: no paths (the request
// needs a host) and no JSON objects (verification sends no headers of the
// user's).
func parseVerifyURLs(s string, n naming) ([]string, error) {
	return parseURLList(InputVerifyURLs, s, n)
}

// parseURLList reads a list of plain http(s) URLs to request from a site
// (verify-urls, wait-urls): separated as files are, deduplicated, at most
// maxVerifyURLs.
func parseURLList(input, s string, n naming) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for line := range strings.Lines(s) {
		text := strings.TrimSpace(line)
		switch {
		case text == "" || strings.HasPrefix(text, "#"):
			continue
		case strings.HasPrefix(text, "{"):
			return nil, inputErr(input, text, "takes plain URLs, not JSON objects: requests to a site send no headers of the user's")
		case splitsPassword(text, unicode.IsSpace):
			return nil, inputErr(input, "", "%s", credentialsSplit)
		}
		entries, err := splitEntries(text)
		if err != nil {
			return nil, inputErr(input, text, "%v", err)
		}
		for _, e := range entries {
			if e.quoted || !hasScheme(e.text) {
				return nil, inputErr(input, e.text, "is not a URL: give full URLs such as https://www.example.com/ (%s is not applied to them)", n.name(InputBaseURL))
			}
			u, err := normalizeURL(e.text, n)
			if err != nil {
				return nil, inputErr(input, e.text, "%v", err)
			}
			if seen[u] {
				continue
			}
			if len(out) == maxVerifyURLs {
				return nil, inputErr(input, "", "has more than %d URLs; give a sample", maxVerifyURLs)
			}
			seen[u] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// hasQueryOrFragment tells whether the URL u, parsed from v, has a query or
// a fragment, empty ones included: "https://example.com/?" has no RawQuery
// but ForceQuery, and "https://example.com/#" no Fragment, yet either mark
// would end up inside every path joined to the URL.
func hasQueryOrFragment(u *url.URL, v string) bool {
	return u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(v, "#")
}

// hideUserinfo replaces the user information of every URL in s with ***,
// so that a message quoting https://user:password@host/ shows neither:
// https://***@host/. An authority starts after "//" at the start of s or
// after a scheme's colon, a space or a quote (//user@host is a URL
// without scheme); it ends where a path, query, fragment or space starts,
// so that an @ after that (logo@2x.png) is kept. Quotes do not end it: a
// user name may hold one, and then url.Parse refuses the URL, whose
// message quotes it whole.
func hideUserinfo(s string) string {
	s = hideBareUserinfo(s)
	// After a scheme's colon a backslash is a slash to WHATWG's URL
	// parsers: https:/\user:pw@host holds credentials too. The same
	// length, so indexes agree.
	sl := []byte(s)
	for i := 0; i+2 < len(sl); i++ {
		if sl[i] == ':' && (sl[i+1] == '/' || sl[i+1] == '\\') && (sl[i+2] == '/' || sl[i+2] == '\\') {
			sl[i+1], sl[i+2] = '/', '/'
		}
	}
	slashed := string(sl)
	var b strings.Builder
	done, from := 0, 0
	for {
		i := strings.Index(slashed[from:], "//")
		if i < 0 {
			break
		}
		i += from
		start := i + 2
		from = start
		if i > 0 && !strings.ContainsRune(":\"'` \t", rune(s[i-1])) {
			continue
		}
		end := start + strings.IndexFunc(slashed[start:], func(r rune) bool {
			return r == '/' || r == '?' || r == '#' || isSpaceOrControl(r)
		})
		if end < start {
			end = len(s)
		}
		at := strings.LastIndexByte(s[start:end], '@')
		if far := passwordEnd(s[start:], end-start); far > at {
			// A password with a slash or a space: the authority does
			// not end where a parser ends it.
			at = far
		}
		if at < 0 {
			continue
		}
		b.WriteString(s[done:start])
		b.WriteString("***")
		done, from = start+at, max(end, start+at)
	}
	if done == 0 {
		return hideColonAt(s)
	}
	b.WriteString(s[done:])
	return hideColonAt(b.String())
}

// colonAt is what is left of a password after the URLs: ":pw@" anywhere
// (after a "#", in a value no parser reads as a URL), a slash in it too,
// but not a port and a path (":8443/logo@2x.png"). Hiding a little too
// much in a message costs nothing.
var colonAt = regexp.MustCompile("(:)[^\\s/@\"'`:*][^\\s@\"'`:*]*@")

func hideColonAt(s string) string {
	return colonAt.ReplaceAllStringFunc(s, func(m string) string {
		if digits, _, ok := strings.Cut(m[1:], "/"); ok && digits != "" && strings.Trim(digits, "0123456789") == "" {
			return m
		}
		return ":***@"
	})
}

// splitsPassword tells whether splitting line into entries at the runes
// isSep matches would cut a URL's user information in two
// ("https://user:pa ss@host/", "a.example, user:pa ss@b.example"): the
// entry before the cut would not look like it holds a password, and the
// error about it would quote part of the password. An entry whose
// authority has a colon followed by something other than a port, with an
// "@" only after it, later in the line, is such a cut.
func splitsPassword(line string, isSep func(rune) bool) bool {
	last := strings.LastIndexByte(line, '@')
	if last < 0 {
		return false
	}
	for st := 0; st < last; {
		if r, n := utf8.DecodeRuneInString(line[st:]); isSep(r) {
			st += n
			continue
		}
		en := strings.IndexFunc(line[st:], isSep)
		if en < 0 {
			return false // the last entry holds the last "@"
		}
		en += st
		if en > last {
			return false
		}
		e := line[st:en]
		st = en
		if i := strings.Index(e, "://"); i >= 0 {
			e = e[i+3:]
		}
		if i := strings.IndexAny(e, "/?#"); i >= 0 {
			e = e[:i]
		}
		colon := strings.IndexByte(e, ':')
		if colon < 0 || strings.Contains(e, "@") || strings.HasPrefix(e, "[") {
			continue
		}
		if port := e[colon+1:]; strings.Trim(port, "0123456789") != "" {
			return true
		}
	}
	return false
}

// passwordEnd finds, in s that starts with an authority ending at end
// (where a parser ends it: at a slash, a space...), a password that goes
// on past end: when the authority's last part holds a colon followed by
// something other than a port ("user:pa" of "user:pa/ss@host" or of
// "user:pa ss@host"), the last "@" of the line (up to a quote or a line
// break) ends the user information. It returns that "@"'s index, or -1.
func passwordEnd(s string, end int) int {
	auth := s[:end]
	tail := auth[strings.LastIndexByte(auth, '@')+1:]
	colon := strings.IndexByte(tail, ':')
	if colon < 0 || strings.HasPrefix(tail, "[") {
		return -1
	}
	if port := tail[colon+1:]; strings.Trim(port, "0123456789") == "" {
		return -1
	}
	line := s
	if i := strings.IndexAny(s, "\"\n\r"); i >= 0 {
		line = s[:i]
	}
	at := strings.LastIndexByte(line, '@')
	if at < end {
		return -1
	}
	return at
}

// hideBareUserinfo hides user:password@ at the start of a value without a
// scheme (a host or a prefix given as user:pw@host/path): the part before
// the first slash, up to its last @, when a colon comes before that @.
func hideBareUserinfo(s string) string {
	end := strings.IndexAny(s, "/\\?# \t")
	if end < 0 {
		end = len(s)
	}
	at := strings.LastIndexByte(s[:end], '@')
	if far := passwordEnd(s, end); far > at {
		at = far
	}
	if at <= 0 || !strings.Contains(s[:at], ":") || strings.Contains(s[:at], "//") {
		return s
	}
	return "***" + s[at:]
}
