package selector

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func ips(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, x := range s {
		out = append(out, netip.MustParseAddr(x))
	}
	return out
}

var cmpOpts = []cmp.Option{cmpopts.EquateEmpty(), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })}

func TestParseSelectable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expr string
		want       Selector
		words      string
	}{
		{"production (docs)", `(cf.zone.name eq "example.com")`,
			Selector{Zones: []string{"example.com"}}, "zone example.com"},
		{"staging by edge IP (docs, as the brief writes it)", `(cf.zone.name eq "example.com" and cf.edge.server_ip in {1.2.3.4 5.6.7.8})`,
			Selector{Zones: []string{"example.com"}, EdgeIPs: ips("1.2.3.4", "5.6.7.8")}, "zone example.com, edge IP 1.2.3.4 or 5.6.7.8"},
		{"staging (API example)", `((cf.edge.server_ip in {1.2.3.4 5.6.7.8})) and (cf.zone.name eq "example.com")`,
			Selector{Zones: []string{"example.com"}, EdgeIPs: ips("1.2.3.4", "5.6.7.8")}, "zone example.com, edge IP 1.2.3.4 or 5.6.7.8"},
		{"development by cookie (docs)", `(cf.zone.name eq "example.com" and any(http.request.cookies["development"][*] eq "true"))`,
			Selector{Zones: []string{"example.com"}, Cookies: map[string]string{"development": "true"}}, "zone example.com, cookie development=true"},
		{"development (API example)", `((any(http.request.cookies["development"][*] eq "true"))) and (cf.zone.name eq "example.com")`,
			Selector{Zones: []string{"example.com"}, Cookies: map[string]string{"development": "true"}}, "zone example.com, cookie development=true"},
		{"header", `any(http.request.headers["x-env"][*] eq "qa")`,
			Selector{Headers: map[string]string{"X-Env": "qa"}}, "header X-Env: qa"},
		{"header first value, ==, &&", `http.request.headers["x-env"][0] == "qa" && http.host == "WWW.Example.com"`,
			Selector{Headers: map[string]string{"X-Env": "qa"}, Hosts: []string{"www.example.com"}}, "host www.example.com, header X-Env: qa"},
		{"cookie first value", `http.request.cookies["dev"][0] eq "1"`,
			Selector{Cookies: map[string]string{"dev": "1"}}, "cookie dev=1"},
		{"edge IP eq, IPv6", `cf.edge.server_ip eq 2001:db8::1`, Selector{EdgeIPs: ips("2001:db8::1")}, "edge IP 2001:db8::1"},
		{"edge IPs mixed", `cf.edge.server_ip in {1.2.3.4 2001:db8::1 1.2.3.4}`, Selector{EdgeIPs: ips("1.2.3.4", "2001:db8::1")}, ""},
		{"host in set", `http.host in {"a.example.com" "b.example.com"}`, Selector{Hosts: []string{"a.example.com", "b.example.com"}}, "host a.example.com or b.example.com"},
		{"host within zone", `cf.zone.name eq "example.com" and http.host in {"a.example.com" "other.org"}`,
			Selector{Zones: []string{"example.com"}, Hosts: []string{"a.example.com"}}, ""},
		{"escapes", `any(http.request.headers["x-q"][*] eq "a\"b\\c")`, Selector{Headers: map[string]string{"X-Q": `a"b\c`}}, `header X-Q: a"b\c`},
		{"raw string", `http.host eq r"example.com" and cf.zone.name eq r#"example.com"#`,
			Selector{Hosts: []string{"example.com"}, Zones: []string{"example.com"}}, ""},
		{"or: country side refused, cookie side sent", `ip.geoip.country eq "GB" or any(http.request.cookies["beta"][*] eq "1")`,
			Selector{Cookies: map[string]string{"beta": "1"}}, ""},
		{"or: hosts union", `http.host eq "a.example.com" or http.host eq "b.example.com"`,
			Selector{Hosts: []string{"a.example.com", "b.example.com"}}, ""},
		{"or: edge IPs union", `(cf.zone.name eq "example.com" and cf.edge.server_ip eq 1.2.3.4) or (cf.zone.name eq "example.com" and cf.edge.server_ip eq 5.6.7.8)`,
			Selector{Zones: []string{"example.com"}, EdgeIPs: ips("1.2.3.4", "5.6.7.8")}, ""},
		{"or: different cookies, left sent", `any(http.request.cookies["a"][*] eq "1") || any(http.request.cookies["b"][*] eq "2")`,
			Selector{Cookies: map[string]string{"a": "1"}}, ""},
		{"or: not side refused", `not http.host eq "x.example.com" or http.host eq "y.example.com"`,
			Selector{Hosts: []string{"y.example.com"}}, ""},
		{"and binds tighter than or", `ip.src eq 1.1.1.1 and http.host eq "a.example.com" or http.host eq "b.example.com"`,
			Selector{Hosts: []string{"b.example.com"}}, ""},
		{"same cookie twice", `any(http.request.cookies["a"][*] eq "1") and http.request.cookies["a"][0] eq "1"`,
			Selector{Cookies: map[string]string{"a": "1"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tt.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.expr, err)
			}
			if d := cmp.Diff(tt.want, got, cmpOpts...); d != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.expr, d)
			}
			if tt.words != "" && got.String() != tt.words {
				t.Errorf("String() = %q, want %q", got.String(), tt.words)
			}
		})
	}
}

func TestParseNotSelectable(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, expr, why string }{
		{"country", `(cf.zone.name eq "example.com" and ip.geoip.country eq "GB")`, "selects by visitor country (ip.geoip.country), which a client cannot choose"},
		{"country set", `ip.src.country in {"GB" "FR"}`, "visitor country (ip.src.country)"},
		{"asn", `ip.geoip.asnum eq 13335`, "AS number"},
		{"client IP", `ip.src in {10.0.0.0/8}`, "visitor IP address (ip.src)"},
		{"threat score", `cf.threat_score gt 10`, "threat score"},
		{"bot", `cf.client.bot`, "bot detection"},
		{"not", `not any(http.request.cookies["a"][*] eq "1")`, "uses not"},
		{"bang", `!(http.host eq "a.example.com")`, "uses not"},
		{"ne", `http.host ne "a.example.com"`, "only eq and in"},
		{"contains", `http.host contains "example"`, "with contains"},
		{"matches", `http.host matches "^a"`, "with matches"},
		{"raw cookie header", `http.cookie contains "dev=1"`, "http.cookie"},
		{"unknown field", `http.request.uri.path eq "/a"`, "uses the field http.request.uri.path, which this reader does not understand"},
		{"unknown field in or", `http.request.uri.path eq "/a" or http.host eq "a.example.com"`, "does not understand"},
		{"function", `lower(http.host) eq "a"`, "function lower()"},
		{"any with two comparisons", `any(http.request.cookies["a"][*] eq "1" or http.host eq "x")`, "more than one comparison"},
		{"or of unchoosables", `ip.geoip.country eq "GB" or ip.geoip.asnum eq 1`, "visitor country (ip.geoip.country), which a client cannot choose; and selects by visitor network"},
		{"xor", `http.host eq "a" xor http.host eq "b"`, "xor"},
		{"cookie conflict", `any(http.request.cookies["a"][*] eq "1") and any(http.request.cookies["a"][*] eq "2")`, `cookie a to have two different values at once`},
		{"edge IP conflict", `cf.edge.server_ip eq 1.2.3.4 and cf.edge.server_ip eq 5.6.7.8`, "edge IP"},
		{"host outside zone", `cf.zone.name eq "example.com" and http.host eq "example.org"`, "outside the zone"},
		{"edge range", `cf.edge.server_ip in {1.2.3.0/24}`, "range"},
		{"edge IP quoted", `cf.edge.server_ip eq "1.2.3.4"`, "without quotes"},
		{"edge IP bad", `cf.edge.server_ip eq 1.2.3`, "not an IP address"},
		{"header capitals", `any(http.request.headers["X-Env"][*] eq "qa")`, "lower case"},
		{"header host", `any(http.request.headers["host"][*] eq "a")`, "Host header"},
		{"cookie needs encoding", `any(http.request.cookies["a"][*] eq "x y")`, "cannot be sent"},
		{"cookie second value", `http.request.cookies["a"][1] eq "x"`, "[1]"},
		{"star outside any", `http.request.cookies["a"][*] eq "x"`, "outside any()"},
		{"unknown escape", `http.host eq "a\n"`, "unknown escape"},
		{"unterminated", `http.host eq "a`, "unterminated"},
		{"unbalanced", `(http.host eq "a"`, `expected ")"`},
		{"trailing", `http.host eq "a" )`, "unexpected"},
		{"empty", ` `, "empty"},
		{"list", `ip.src in $office`, "unexpected character"},
		{"deep", strings.Repeat("(", 100) + `http.host eq "a"` + strings.Repeat(")", 100), "nested"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sel, err := Parse(tt.expr)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.expr, sel)
			}
			if !errors.Is(err, ErrNotSelectable) {
				t.Errorf("Parse(%q) error %v does not wrap ErrNotSelectable", tt.expr, err)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("Parse(%q) error %q does not say %q", tt.expr, err, tt.why)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	t.Parallel()
	staging, _ := Parse(`((cf.edge.server_ip in {1.2.3.4 5.6.7.8})) and (cf.zone.name eq "example.com")`)
	dev, _ := Parse(`((any(http.request.cookies["development"][*] eq "true"))) and (cf.zone.name eq "example.com")`)
	hdr, _ := Parse(`any(http.request.headers["x-env"][*] eq "qa") and http.host eq "www.example.com"`)
	tests := []struct {
		name string
		sel  Selector
		req  Request
		want bool
	}{
		{"staging on its IP", staging, Request{Host: "example.com", EdgeIP: netip.MustParseAddr("5.6.7.8")}, true},
		{"staging, v4-mapped address", staging, Request{Host: "example.com:443", EdgeIP: netip.MustParseAddr("::ffff:1.2.3.4")}, true},
		{"staging, subdomain", staging, Request{Host: "www.EXAMPLE.com", EdgeIP: netip.MustParseAddr("1.2.3.4")}, true},
		{"staging, other IP", staging, Request{Host: "example.com", EdgeIP: netip.MustParseAddr("9.9.9.9")}, false},
		{"staging, IP unknown", staging, Request{Host: "example.com"}, false},
		{"staging, other zone", staging, Request{Host: "notexample.com", EdgeIP: netip.MustParseAddr("1.2.3.4")}, false},
		{"dev with cookie", dev, Request{Host: "example.com", Cookies: map[string][]string{"development": {"false", "true"}}}, true},
		{"dev without", dev, Request{Host: "example.com", Cookies: map[string][]string{"development": {"false"}}}, false},
		{"header", hdr, Request{Host: "www.example.com", Headers: http.Header{"X-Env": {"qa"}}}, true},
		{"header, other value", hdr, Request{Host: "www.example.com", Headers: http.Header{"X-Env": {"prod"}}}, false},
		{"header, other host", hdr, Request{Host: "example.com", Headers: http.Header{"X-Env": {"qa"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.sel.Matches(tt.req); got != tt.want {
				t.Errorf("%v.Matches(%+v) = %v, want %v", tt.sel, tt.req, got, tt.want)
			}
		})
	}
}

func TestCookieHeader(t *testing.T) {
	t.Parallel()
	s := Selector{Cookies: map[string]string{"b": "2", "a": "1"}}
	if got, want := s.CookieHeader(), "a=1; b=2"; got != want {
		t.Errorf("CookieHeader() = %q, want %q", got, want)
	}
}

// requestFor builds the request a client sends for s.
func requestFor(s Selector) Request {
	r := Request{Host: "example.com", Cookies: map[string][]string{}, Headers: http.Header{}}
	switch {
	case len(s.Hosts) > 0:
		r.Host = s.Hosts[0]
	case len(s.Zones) > 0:
		r.Host = s.Zones[0]
	}
	for k, v := range s.Cookies {
		r.Cookies[k] = []string{v}
	}
	for k, v := range s.Headers {
		r.Headers.Set(k, v)
	}
	if len(s.EdgeIPs) > 0 {
		r.EdgeIP = s.EdgeIPs[0]
	}
	return r
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`(cf.zone.name eq "example.com")`,
		`((cf.edge.server_ip in {1.2.3.4 5.6.7.8})) and (cf.zone.name eq "example.com")`,
		`((any(http.request.cookies["development"][*] eq "true"))) and (cf.zone.name eq "example.com")`,
		`any(http.request.headers["x-env"][*] eq "qa")`,
		`http.host in {"a.example.com" "b.example.com"} or ip.geoip.country eq "GB"`,
		`cf.edge.server_ip eq 2001:db8::1 && http.request.cookies["a"][0] == "b"`,
		`not (http.host eq "a\"b\\")`,
		`http.host eq r#"x"# or http.host eq "y"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := Parse(expr)
		if err != nil {
			if !errors.Is(err, ErrNotSelectable) {
				t.Fatalf("Parse(%q): error %v does not wrap ErrNotSelectable", expr, err)
			}
			return
		}
		if s.String() == "" {
			t.Fatalf("Parse(%q): empty String()", expr)
		}
		if r := requestFor(s); !s.Matches(r) {
			t.Fatalf("Parse(%q) = %#v does not match the request built from it: %+v", expr, s, r)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	const expr = `((any(http.request.cookies["development"][*] eq "true"))) and (cf.zone.name eq "example.com") and cf.edge.server_ip in {1.2.3.4 5.6.7.8}`
	for b.Loop() {
		if _, err := Parse(expr); err != nil {
			b.Fatal(err)
		}
	}
}

// The values of credential headers and cookies are secrets: String hides
// them and Secrets lists them; other values are shown.
func TestSelectorSecrets(t *testing.T) {
	t.Parallel()
	s, err := Parse(`any(http.request.headers["authorization"][*] eq "Bearer abc.def-123") and any(http.request.headers["x-api-key"][*] eq "k3y-dXNlcjpwdw") and any(http.request.cookies["session_id"][*] eq "s3ss10n-value") and any(http.request.headers["x-env"][*] eq "qa") and any(http.request.cookies["development"][*] eq "true")`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.String(), "cookie development=true, cookie session_id=***, header Authorization: ***, header X-Api-Key: ***, header X-Env: qa"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"Bearer abc.def-123", "abc.def-123", "k3y-dXNlcjpwdw", "s3ss10n-value"}, s.Secrets()); diff != "" {
		t.Errorf("Secrets (-want +got):\n%s", diff)
	}
}

// An expression this reader cannot read is never mined for the credentials
// it matches, so none of its strings is quoted in the reason: a bearer
// token or a session cookie would otherwise reach the report unmasked.
func TestNotSelectableQuotesNoString(t *testing.T) {
	t.Parallel()
	const secret = "Bearer s3cr3t-t0ken-value"
	for _, expr := range []string{
		`http.request.headers["authorization"][*] "` + secret + `"`,
		`any(http.request.headers["authorization"][*] eq "` + secret + `") "` + secret + `"`,
		`any(http.request.headers["authorization"][*] eq " ` + secret + `")`,
		`any(http.request.cookies["session"][*] eq "` + secret + `;")`,
		`any(http.request.headers["authorization"][*] eq "` + secret + `") and any(http.request.headers["authorization"][*] eq "Bearer other")`,
		`(any(http.request.headers["authorization"][*] eq "` + secret + `")`,
	} {
		_, err := Parse(expr)
		if err == nil {
			t.Errorf("Parse(%q): no error", expr)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("Parse(%q) error quotes the credential: %v", expr, err)
		}
	}
}
