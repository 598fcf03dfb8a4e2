package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// CacheKeyURL returns the absolute http(s) URL s as the cache key it names,
// which is what Cloudflare compares a purge's URL with: the scheme and host
// in lower case, the host in ASCII (IDNA: bücher.example is
// xn--bcher-kva.example, as clients send it), no default port (:443 with
// https, :80 with http) and no fragment (#..., which clients never send).
// The path and query are kept byte for byte: they are case-sensitive.
//
// It refuses what would be sent as a URL that no client requests, so that
// Cloudflare would answer success and purge nothing: invalid UTF-8 (sent
// as U+FFFD), a * (no wildcard exists: prefixes purge under a path), two
// URLs joined by a comma, spaces and control characters. Its errors are
// problems to follow a quoted value ("must not ..."); a credential in the
// URL is refused too.
func CacheKeyURL(s string) (string, error) {
	switch {
	case !utf8.ValidString(s):
		return "", errors.New("is not valid UTF-8: Cloudflare would purge a URL with U+FFFD in its place; percent-encode the bytes (%C3%A9)")
	case strings.IndexFunc(s, isSpaceOrControl) >= 0:
		return "", errors.New("must not contain spaces or control characters; percent-encode them (%20) in a URL")
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return "", errNotAbsolute
	}
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return "", errors.New("must be an http or https URL")
	}
	if commaJoined.MatchString(rest) {
		return "", errors.New("holds two URLs joined by a comma: separate URLs with spaces or new lines")
	}
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	if strings.Contains(rest, "*") {
		hint := "a prefix such as www.example.com/assets"
		if host := rest[:hostEnd]; isHostname(strings.ToLower(host)) {
			hint = "a prefix such as " + strings.ToLower(host) + strings.TrimSuffix(rest[hostEnd:strings.IndexByte(rest, '*')], "/")
		}
		return "", fmt.Errorf("must not contain *: a URL purge has no wildcards (Cloudflare would look for a URL with a * in it); to purge what is under a path, give %s in prefixes", hint)
	}
	if strings.Contains(rest[:hostEnd], "%") {
		// Clients decode a host's escapes before they send it.
		return "", errors.New("has a percent-encoded host: write the host name as it is")
	}
	u, err := url.Parse(scheme + "://" + rest)
	if err != nil || u.Host == "" {
		return "", errors.New("is not a valid URL")
	}
	if u.User != nil {
		return "", errors.New(credentialsInURL)
	}
	host, err := cacheKeyAuthority(rest[:hostEnd], scheme)
	if err != nil {
		return "", err
	}
	tail, _, _ := strings.Cut(rest[hostEnd:], "#")
	return scheme + "://" + host + tail, nil
}

var errNotAbsolute = errors.New("is not an absolute URL")

// commaJoined matches a comma followed by a scheme: a second URL.
var commaJoined = regexp.MustCompile(`,\s*[A-Za-z][A-Za-z0-9+.\-]*://`)

// cacheKeyAuthority is a URL's host and port as a cache key names them:
// the host lower-cased and in ASCII, without the scheme's default port.
func cacheKeyAuthority(auth, scheme string) (string, error) {
	host, port := auth, ""
	if i := strings.LastIndexByte(auth, ':'); i >= 0 && !strings.Contains(auth[i:], "]") {
		host, port = auth[:i], auth[i+1:]
	}
	if port == "" || port == map[string]string{"https": "443", "http": "80"}[scheme] {
		port = ""
	} else {
		port = ":" + port
	}
	h, err := CacheKeyHost(host)
	if err != nil {
		return "", err
	}
	if h == "" {
		return "", errors.New("is not a valid URL")
	}
	return h + port, nil
}

// CacheKeyHost is a host name as a cache key names it: in lower case, and
// in ASCII (IDNA) when it is international. An IP address (IPv6 in
// brackets) is only lower-cased.
func CacheKeyHost(host string) (string, error) {
	lower := strings.ToLower(host)
	if isASCII(lower) || strings.HasPrefix(host, "[") || net.ParseIP(host) != nil {
		return lower, nil
	}
	a, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return "", fmt.Errorf("has a host that is not a valid international domain name (%v)", err)
	}
	return strings.ToLower(a), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
