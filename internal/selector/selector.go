// Package selector reads a zone-versioning environment's expression (the Ruleset
// Engine language) and says what a client must send for the environment to select its
// request: cookies, headers, an edge IP to connect to and the hosts it may ask for.
//
// It never guesses. It understands parentheses, and/&&, or/||, host conditions
// (`http.host eq "x"`, `cf.zone.name eq "x"`, both also with `in {...}`), cookie and
// header equalities (`any(http.request.cookies["n"][*] eq "v")`,
// `http.request.cookies["n"][0] eq "v"`, the same for `http.request.headers`) and edge
// addresses (`cf.edge.server_ip eq 1.2.3.4`, `cf.edge.server_ip in {1.2.3.4 2001:db8::1}`).
// Anything else makes Parse fail with an error wrapping ErrNotSelectable.
//
// The rule for `or`: a side refused for a reason a client cannot choose (country, ASN,
// client IP, threat score, bots, `not`, an operator other than eq/in, ...) leaves the
// other side, which alone satisfies the expression. When both sides can be sent and
// differ only in their hosts, zones or edge IPs, the selector allows either (the union);
// otherwise it is the left side, which is enough to be selected. A side the reader does
// not understand at all (an unknown field or function, a syntax it does not know) makes
// the whole expression not selectable: it cannot be sure what the expression means.
package selector

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strings"
)

// Selector is what a client must send for the expression to select its request.
type Selector struct {
	Cookies map[string]string // cookie name -> value the request must carry
	Headers map[string]string // canonical header name -> value
	EdgeIPs []netip.Addr      // the request must reach one of these edge addresses (empty: any)
	Hosts   []string          // the request's host must be one of these (lower case; empty: any)
	// Zones come from cf.zone.name: the request's host must be one of these zones or a
	// name under one (www.example.com is in zone example.com). Lower case; empty: any.
	// Kept apart from Hosts because a zone condition does not pin the host.
	Zones []string
}

// ErrNotSelectable is wrapped by Parse's error for an expression a client cannot satisfy
// (country, ASN, client IP, threat score, not, or across such, anything not understood).
var ErrNotSelectable = errors.New("not selectable")

// Request is what the emulator's edge knows of a request.
type Request struct {
	Host    string
	Cookies map[string][]string
	Headers http.Header
	EdgeIP  netip.Addr // the address it was reached on (invalid: unknown)
}

// Matches reports whether r satisfies the selector: host (a port is ignored), zone,
// every cookie and header (any of the values sent under that name), and the edge IP.
// A request it matches is selected by the expression; for an expression with `or`
// whose sides differ in cookies or headers, the expression selects more than this.
func (s Selector) Matches(r Request) bool {
	if !s.HostAllowed(r.Host) {
		return false
	}
	for name, want := range s.Cookies {
		if !slices.Contains(r.Cookies[name], want) {
			return false
		}
	}
	for name, want := range s.Headers {
		if !slices.Contains(r.Headers.Values(name), want) {
			return false
		}
	}
	if len(s.EdgeIPs) > 0 {
		if !r.EdgeIP.IsValid() || !s.edgeIPAllowed(r.EdgeIP) {
			return false
		}
	}
	return true
}

// HostAllowed reports whether a request for host satisfies the host and zone
// conditions. Hosts compare case-insensitively, as DNS names do; a port is ignored.
func (s Selector) HostAllowed(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if len(s.Hosts) > 0 && !slices.Contains(s.Hosts, host) {
		return false
	}
	if len(s.Zones) > 0 && !slices.ContainsFunc(s.Zones, func(z string) bool { return inZone(host, z) }) {
		return false
	}
	return true
}

func (s Selector) edgeIPAllowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	return slices.ContainsFunc(s.EdgeIPs, func(a netip.Addr) bool { return a.Unmap() == ip })
}

func inZone(host, zone string) bool {
	return host == zone || strings.HasSuffix(host, "."+zone)
}

// String says it in words for reports: `cookie development=true, edge IP 1.2.3.4`.
func (s Selector) String() string {
	var parts []string
	if len(s.Zones) > 0 {
		parts = append(parts, "zone "+strings.Join(s.Zones, " or "))
	}
	if len(s.Hosts) > 0 {
		parts = append(parts, "host "+strings.Join(s.Hosts, " or "))
	}
	for _, name := range sortedKeys(s.Cookies) {
		v := s.Cookies[name]
		if IsCredential(name) {
			v = hidden
		}
		parts = append(parts, "cookie "+name+"="+v)
	}
	for _, name := range sortedKeys(s.Headers) {
		v := s.Headers[name]
		if IsCredential(name) {
			v = hidden
		}
		parts = append(parts, "header "+name+": "+v)
	}
	if len(s.EdgeIPs) > 0 {
		ips := make([]string, len(s.EdgeIPs))
		for i, ip := range s.EdgeIPs {
			ips[i] = ip.String()
		}
		parts = append(parts, "edge IP "+strings.Join(ips, " or "))
	}
	if len(parts) == 0 {
		return "any request"
	}
	return strings.Join(parts, ", ")
}

// hidden is what String shows of a credential's value.
const hidden = "***"

// credentialWords mark a header or cookie name whose value is a
// credential: Authorization, Proxy-Authorization, Cookie, and the names
// sites give session cookies, tokens and keys.
var credentialWords = []string{"auth", "cookie", "token", "key", "secret", "session", "sess", "sid", "password", "passwd", "credential", "jwt", "signature", "csrf", "xsrf", "bearer"}

// IsCredential tells whether a header or cookie name carries a credential:
// its value, sent to select the environment, is a secret.
func IsCredential(name string) bool {
	n := strings.ToLower(name)
	for _, w := range credentialWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Secrets returns the values the selector sends in credential headers and
// cookies (see IsCredential): they must be masked and never printed.
func (s Selector) Secrets() []string {
	var out []string
	for _, m := range []map[string]string{s.Headers, s.Cookies} {
		for _, name := range sortedKeys(m) {
			if v := m[name]; IsCredential(name) && v != "" {
				out = append(out, v)
				if f := strings.Fields(v); len(f) == 2 {
					out = append(out, f[1]) // "Bearer xyz": xyz alone, too
				}
			}
		}
	}
	return out
}

// CookieHeader is the one Cookie header value that carries the selector's cookies, in
// name order ("" when there are none).
func (s Selector) CookieHeader() string {
	var parts []string
	for _, name := range sortedKeys(s.Cookies) {
		parts = append(parts, name+"="+s.Cookies[name])
	}
	return strings.Join(parts, "; ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
