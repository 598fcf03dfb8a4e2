package config

import (
	"net/url"
	"strings"
	"time"
)

// Expectation is what the new deploy serves: a response header with an
// exact value, a text in the body, or both. The zero value expects nothing.
type Expectation struct {
	// Header is the header's name in canonical form and Value its value;
	// both empty when no header is expected.
	Header, Value string
	// Body is a text the body's first MiB contains; empty: none expected.
	Body string
}

// IsSet tells whether anything is expected.
func (e Expectation) IsSet() bool { return e.Header != "" || e.Body != "" }

// maxExpectText bounds expect-header's value and expect-body: a build id, a
// hash, a line of text, not a page.
const maxExpectText = 4096

// parseExpectHeader reads expect-header: "Name: value", the name an HTTP
// token, the value one line.
func parseExpectHeader(v string) (name, value string, err error) {
	if v == "" {
		return "", "", nil
	}
	name, value, ok := strings.Cut(v, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	switch {
	case !ok || name == "" || value == "":
		return "", "", inputErr(InputExpectHeader, v, "must be a header and its value as Name: value, such as X-Build: 3f2c1a9")
	case !isToken(name):
		return "", "", inputErr(InputExpectHeader, v, "the header name %q is not a valid HTTP header name (letters, digits and !#$%%&'*+-.^_`|~ only)", name)
	case len(value) > maxExpectText:
		return "", "", inputErr(InputExpectHeader, v, "the value is longer than %d bytes", maxExpectText)
	case strings.ContainsFunc(value, isControl):
		return "", "", inputErr(InputExpectHeader, v, "the value holds a line break or control character; a header's value is one line")
	}
	return canonicalHeader(name), value, nil
}

// parseExpectBody reads expect-body: a text, at most maxExpectText bytes.
func parseExpectBody(v string) (string, error) {
	switch {
	case len(v) > maxExpectText:
		return "", inputErr(InputExpectBody, v, "is longer than %d bytes; expect a short text the new build's page holds, such as its build id", maxExpectText)
	case strings.ContainsRune(v, 0):
		return "", inputErr(InputExpectBody, v, "holds a NUL character")
	}
	return v, nil
}

// parseWait reads wait: a Go duration from 0 (no wait) to 24h.
func parseWait(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > 24*time.Hour {
		return 0, inputErr(InputWait, v, "must be a Go duration from 0 (no wait) to 24h, such as 90s or 5m")
	}
	return d, nil
}

// parseSitemapURL reads warm-sitemap: an absolute http(s) URL.
func parseSitemapURL(v string, n naming) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "" || (u.Scheme != "http" && u.Scheme != "https"):
		return "", inputErr(InputWarmSitemap, v, "must be an absolute http or https URL, such as https://www.example.com/sitemap.xml")
	case u.User != nil:
		return "", inputErr(InputWarmSitemap, v, "%s", credentialsInURL)
	}
	s, err := normalizeURL(v, n)
	if err != nil {
		return "", inputErr(InputWarmSitemap, v, "%v", err)
	}
	return s, nil
}

// isToken tells whether s is an HTTP token (RFC 9110), as header names are.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

// canonicalHeader is a header name as Go's http.Header keys it
// (x-build: X-Build), without importing net/http here.
func canonicalHeader(s string) string {
	b := []byte(strings.ToLower(s))
	upper := true
	for i, c := range b {
		if upper && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		upper = c == '-'
	}
	return string(b)
}
