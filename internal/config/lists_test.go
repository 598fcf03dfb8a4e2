package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// Fuzz targets for every parser of user input. Properties: no panic; an
// error is an *InputError naming the input; what is accepted follows the
// documented rules; duplicates are dropped. Run one with
//
//	go test -run '^$' -fuzz '^FuzzParseTags$' -fuzztime 20s ./internal/config/
//
// Crashers found are kept in testdata/fuzz as regression seeds.

// listSeeds are shared by the list parsers.
var listSeeds = []string{
	"", "a", "a,b c\nd\te", "A a", ",,, \n\n", "a\x00b", "ä", "\u00a0a\u2028b", "a\u0085b",
	strings.Repeat("t", 1024), strings.Repeat("t", 1025), "::set-output name=x::y", "<script>",
	"www.example.com", "WWW.Example.COM", "https://www.example.com/a", "example.com/a?b#c",
	"example.com" + strings.Repeat("/a", 31), "example.com" + strings.Repeat("/a", 32), "-a.example.com",
	"xn--bcher-kva.example", "a..b", "a.b.", "_dmarc.example.com", "example.com:8080/a", "example.com/a b",
	"example.com/\x7f", "example.com//", "/a", "1.2.3.4", "[::1]",
}

// checkErr: an error is an *InputError about input.
func checkErr(t *testing.T, input string, err error) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) || ie.Input != input || !isInput(err) {
		t.Fatalf("error %v (%T) is not an *InputError about %s", err, err, input)
	}
}

func FuzzParseTags(f *testing.F) {
	for _, s := range listSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := parseTags(s, naming{})
		if err != nil {
			checkErr(t, InputTags, err)
			return
		}
		seen := map[string]bool{}
		for _, tag := range tags {
			if tag == "" || len(tag) > maxTagLength {
				t.Fatalf("accepted tag of %d characters", len(tag))
			}
			for i := 0; i < len(tag); i++ {
				if c := tag[i]; c < 0x21 || c > 0x7e || c == ',' {
					t.Fatalf("accepted tag %q with byte %#x", tag, c)
				}
			}
			if k := strings.ToLower(tag); seen[k] {
				t.Fatalf("duplicate tag %q (case-insensitively)", tag)
			} else {
				seen[k] = true
			}
			if !strings.Contains(s, tag) {
				t.Fatalf("tag %q is not in the input", tag)
			}
		}
		if len(tags) > maxListItems {
			t.Fatalf("%d tags accepted", len(tags))
		}
	})
}

func FuzzParseHosts(f *testing.F) {
	for _, s := range listSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hosts, err := parseHosts(s, naming{})
		if err != nil {
			checkErr(t, InputHosts, err)
			return
		}
		seen := map[string]bool{}
		for _, h := range hosts {
			if !isHostname(h) || h != strings.ToLower(h) || strings.ContainsAny(h, "/:?#@ ") {
				t.Fatalf("accepted host %q", h)
			}
			if seen[h] {
				t.Fatalf("duplicate host %q", h)
			}
			seen[h] = true
		}
	})
}

func FuzzParsePrefixes(f *testing.F) {
	for _, s := range listSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prefixes, err := parsePrefixes(s, naming{})
		if err != nil {
			checkErr(t, InputPrefixes, err)
			return
		}
		seen := map[string]bool{}
		for _, p := range prefixes {
			host, path, _ := strings.Cut(p, "/")
			switch {
			case strings.Contains(p, "://"), strings.ContainsAny(p, "?#"):
				t.Fatalf("accepted prefix %q with a scheme, query or fragment", p)
			case strings.Count(p, "/") > maxPrefixSlash:
				t.Fatalf("accepted prefix %q with %d slashes", p, strings.Count(p, "/"))
			case !isHostname(host) || host != strings.ToLower(host):
				t.Fatalf("accepted prefix %q whose host %q is not a lower-case host name", p, host)
			case strings.IndexFunc(path, func(r rune) bool { return r < 0x21 || r == 0x7f || unicode.IsSpace(r) }) >= 0:
				t.Fatalf("accepted prefix %q with spaces or control characters", p)
			case seen[p]:
				t.Fatalf("duplicate prefix %q", p)
			}
			seen[p] = true
		}
	})
}

func FuzzParseEnvironments(f *testing.F) {
	for _, s := range append(listSeeds, "Staging, Development\nStaging", "Pre prod", "a\r\nb", strings.Repeat("e,", 60)) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		envs, err := ParseEnvironments(s)
		if err != nil {
			checkErr(t, InputEnvironment, err)
			return
		}
		if len(envs) > maxEnvironments {
			t.Fatalf("%d environments accepted", len(envs))
		}
		seen := map[string]bool{}
		for _, e := range envs {
			switch {
			case e == "" || e != strings.TrimSpace(e) || len(e) > 255:
				t.Fatalf("accepted environment %q", e)
			case strings.ContainsAny(e, ",\n\r") || strings.IndexFunc(e, unicode.IsControl) >= 0:
				t.Fatalf("accepted environment %q with a separator or control character", e)
			case seen[e]:
				t.Fatalf("duplicate environment %q", e)
			}
			seen[e] = true
		}
	})
}

func FuzzParseZone(f *testing.F) {
	for _, s := range []string{"023e105f4ecef8ad9ca31a8372d0c353", "023E105F4ECEF8AD9CA31A8372D0C353", "example.com", "Example.COM", "example", "example.com.", "example.com..", "com.", ".", "-x.com", "a_b.example", "023e105f4ecef8ad9ca31a8372d0c35", "not a zone", "", "ex\u0430mple.com", "xn--80ak6aa92e.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		zone, isID, err := parseZone(s)
		switch {
		case err != nil:
			checkErr(t, InputZone, err)
		case isID && (len(zone) != 32 || strings.Trim(zone, "0123456789abcdef") != "" || !strings.EqualFold(zone, s)):
			t.Fatalf("parseZone(%q) = ID %q", s, zone)
		case !isID && (!isHostname(zone) || !strings.Contains(zone, ".") || strings.HasSuffix(zone, ".") || zone != asASCII(strings.TrimSuffix(strings.ToLower(s), "."))):
			t.Fatalf("parseZone(%q) = name %q", s, zone)
		}
	})
}

// asASCII is a name as Cloudflare names a zone: an international one in
// its IDNA form (a homograph such as ex\u0430mple.com is its own xn-- name).
func asASCII(name string) string {
	if a, err := CacheKeyHost(name); err == nil {
		return a
	}
	return name
}

// A fully qualified zone name loses its final dot: Cloudflare knows
// example.com, not example.com.
func TestParseZoneTrailingDot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"example.com.", "example.com", true},
		{"Example.COM.", "example.com", true},
		{"example.com", "example.com", true},
		{"example.com..", "", false},
		{"com.", "", false},
		{".", "", false},
	}
	for _, tt := range tests {
		zone, isID, err := parseZone(tt.in)
		if tt.ok != (err == nil) || zone != tt.want || isID {
			t.Errorf("parseZone(%q) = %q, %v, %v; want %q, ok %v", tt.in, zone, isID, err, tt.want, tt.ok)
		}
	}
}

// Zones: each is checked as one zone is; none at all is "required"; more
// than 50 are refused.
func TestParseZones(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", " , \n", "example.com, not a zone", "example.com\nexample"} {
		if z, err := parseZones(in); err == nil {
			t.Errorf("parseZones(%q) = %v, want an error", in, z)
		} else {
			checkErr(t, InputZone, err)
		}
	}
	// An international zone name is looked up in ASCII, as Cloudflare names it.
	if z, err := parseZones("Bücher.example, xn--bcher-kva.example, example.com"); err != nil ||
		!cmp.Equal(z, []Zone{{Name: "xn--bcher-kva.example"}, {Name: "example.com"}}) {
		t.Errorf("international zone names: %v, %v", z, err)
	}
	var many []string
	for i := range maxZones + 1 {
		many = append(many, fmt.Sprintf("z%d.example", i))
	}
	if _, err := parseZones(strings.Join(many, ",")); err == nil || !strings.Contains(err.Error(), "at most 50") {
		t.Errorf("51 zones: %v", err)
	}
	if z, err := parseZones(strings.Join(many[:maxZones], "\n")); err != nil || len(z) != maxZones {
		t.Errorf("50 zones: %d, %v", len(z), err)
	}
}

func FuzzParseZones(f *testing.F) {
	for _, s := range []string{"example.com,example.org", "023e105f4ecef8ad9ca31a8372d0c353\nexample.com", " , ", "a.b,,a.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		zones, err := parseZones(s)
		if err != nil {
			checkErr(t, InputZone, err)
			return
		}
		seen := map[Zone]bool{}
		for _, z := range zones {
			if (z.ID == "") == (z.Name == "") || seen[z] {
				t.Fatalf("parseZones(%q) = %v", s, zones)
			}
			seen[z] = true
		}
	})
}
