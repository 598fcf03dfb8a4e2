package config

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
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
	if !errors.As(err, &ie) || ie.Input != input || !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("error %v (%T) is not an *InputError about %s", err, err, input)
	}
}

func FuzzParseTags(f *testing.F) {
	for _, s := range listSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := ParseTags(s)
		if err != nil {
			checkErr(t, InputTags, err)
			return
		}
		seen := map[string]bool{}
		for _, tag := range tags {
			if tag == "" || len(tag) > MaxTagLength {
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
		if len(tags) > MaxListItems {
			t.Fatalf("%d tags accepted", len(tags))
		}
	})
}

func FuzzParseHosts(f *testing.F) {
	for _, s := range listSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hosts, err := ParseHosts(s)
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
		prefixes, err := ParsePrefixes(s)
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
			case strings.Count(p, "/") > MaxPrefixSlash:
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
		if len(envs) > MaxEnvironments {
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

func FuzzParseFiles(f *testing.F) {
	for _, s := range []struct{ files, base string }{
		{"https://example.com/a.css https://example.com/a.css", ""},
		{"css/app.css\n/index.html\n# comment\n", "https://www.example.com/"},
		{`{"url": "https://example.com/a", "headers": {"CF-Device-Type": "mobile"}}`, ""},
		{`{"url": "/a", "headers": {"Origin": "https://example.com"}}`, "https://example.com/sub"},
		{`{"url": "https://example.com/a"} {"url": "x"}`, ""},
		{`{"url": 1}`, ""},
		{`{"headers": {"": "x"}}`, ""},
		{`{"url": "https://example.com/", "headers": {"a:b": "x"}}`, ""},
		{`{"url": "https://example.com/", "headers": {"A": "x\ny"}}`, ""},
		{"HTTPS://EXAMPLE.COM/Path?Q=1#F", ""},
		{"https://user:pw@example.com/", ""},
		{"https://", ""},
		{"http://[::1]:8080/a", ""},
		{"ftp://example.com/a", ""},
		{"https://exa mple.com/", ""},
		{"//evil.example/a", "https://example.com"},
		{"a\x00b", "https://example.com"},
		{"https://example.com/\u00e9t\u00e9", ""},
		{"https://example.com/%zz", ""},
		{"\ufeffhttps://example.com/", ""},
		{strings.Repeat("x", MaxLineBytes+1), "https://example.com"},
		{"my file.css\n\"caf\\303\\251.css\"\nh#1.css\n100%.css\na%20b.css", "https://example.com/site/"},
		{"./a/./b\n../x\n\"bad\\q\"\n\"\"\n\"", "https://example.com"},
		{"https://example.com/a b.css\nhttps://example.com/a https://example.com/b", "https://example.com"},
		{"logo(1)!'*,;=.png\n?#[]^`{|}\\ \x7f\xff", "https://example.com"},
	} {
		f.Add(s.files, s.base)
	}
	f.Fuzz(func(t *testing.T, files, baseText string) {
		var base *url.URL
		if u, err := url.Parse(baseText); err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") && u.RawQuery == "" && u.Fragment == "" {
			base = u
		}
		set := newFileSet()
		err := ParseFiles(strings.NewReader(files), InputFiles, base, set.add)
		if err != nil {
			checkErr(t, InputFiles, err)
			return
		}
		keys := map[string]bool{}
		for _, fl := range set.list {
			u, perr := url.Parse(fl.URL)
			switch {
			case perr != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
				t.Fatalf("accepted URL %q that is not http(s) with a host (%v)", fl.URL, perr)
			case u.User != nil:
				t.Fatalf("accepted URL %q with credentials", fl.URL)
			case strings.IndexFunc(fl.URL, isSpaceOrControl) >= 0:
				t.Fatalf("accepted URL %q with spaces or control characters", fl.URL)
			case base == nil && !strings.Contains(files, "{") && !strings.Contains(strings.ToLower(files), strings.ToLower(fl.URL[strings.Index(fl.URL, "://")+3:])):
				// Without base-url and JSON (which decodes escapes), every
				// URL is in the input, but for the case of its scheme and host.
				t.Fatalf("accepted URL %q that is not in the input", fl.URL)
			}
			for k, v := range fl.Headers {
				if k == "" || strings.ContainsAny(k, ": \t") || strings.IndexFunc(v, unicode.IsControl) >= 0 {
					t.Fatalf("accepted header %q: %q", k, v)
				}
			}
			if keys[fileKey(fl)] {
				t.Fatalf("duplicate file %+v", fl)
			}
			keys[fileKey(fl)] = true
		}
	})
}

// FuzzJoinPath: a path joined to base-url is the base URL, a slash and the
// path percent-encoded: no query, no fragment, the same host, and it
// decodes back to the path (without its leading slashes and . segments).
func FuzzJoinPath(f *testing.F) {
	for _, s := range []string{"my file.css", "caf\u00e9.css", "h#1.css", "100%.css", "a%20b.css", "what?.html", "/a//b/", "./a/./b", "..", "a/../b",
		"logo(1)!'*,;=+&$:@~.png", "\x00\x7f\xff\\", "[]{}|^`<>\"", ".", "", "\u00a0\u2028"} {
		f.Add(s, "https://Example.COM/site/")
	}
	f.Fuzz(func(t *testing.T, p, baseText string) {
		base, err := url.Parse(baseText)
		if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") || base.RawQuery != "" || base.ForceQuery || base.Fragment != "" || base.User != nil {
			return
		}
		got, err := joinPath(base, p)
		var segs []string
		for _, s := range strings.Split(strings.TrimLeft(p, "/"), "/") {
			if s != "." {
				segs = append(segs, s)
			}
		}
		if err != nil {
			if !strings.Contains("/"+p+"/", "/../") && !strings.Contains(err.Error(), "not a valid URL") {
				t.Fatalf("joinPath(%q, %q): %v", baseText, p, err)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || !strings.EqualFold(u.Host, base.Host) || strings.IndexFunc(got, isSpaceOrControl) >= 0 {
			t.Fatalf("joinPath(%q, %q) = %q: not a URL under base without query or fragment (%v)", baseText, p, got, err)
		}
		prefix := strings.TrimRight(base.String(), "/") + "/"
		if !strings.EqualFold(got[:min(len(prefix), len(got))], prefix) {
			t.Fatalf("joinPath(%q, %q) = %q: not under %q", baseText, p, got, prefix)
		}
		// The names survive, in order; slashes are where "." segments and
		// empty ones leave them, which the table tests pin down.
		want := strings.Join(segs, "")
		if dec, err := url.PathUnescape(got[len(prefix):]); err != nil || strings.ReplaceAll(dec, "/", "") != want {
			t.Fatalf("joinPath(%q, %q) = %q, which decodes to %q (%v), want %q", baseText, p, got, dec, err, want)
		}
	})
}

func FuzzParseBool(f *testing.F) {
	for _, s := range []string{"true", "True", "TRUE", "false", "False", "FALSE", "yes", "1", "", " true", "tRue"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseBool(InputDryRun, s)
		valid := map[string]bool{"true": true, "True": true, "TRUE": true, "false": false, "False": false, "FALSE": false}
		want, ok := valid[s]
		switch {
		case ok && (err != nil || v != want):
			t.Fatalf("ParseBool(%q) = %v, %v; want %v", s, v, err, want)
		case !ok && err == nil:
			t.Fatalf("ParseBool(%q) accepted", s)
		case err != nil:
			checkErr(t, InputDryRun, err)
		}
	})
}

func FuzzParseNumbers(f *testing.F) {
	for _, s := range []string{"0", "30", "500", "501", "-1", "+5", "05", "1e3", "0x10", "", " 3", "99999999999999999999", "5m", "90s", "1h30m", "24h", "24h0m1s", "0s", "-5m", "300", "1.5h", "9223372036854775807ns", ".5s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseInt(InputFilesPerRequest, s, 1, 500)
		if err != nil {
			checkErr(t, InputFilesPerRequest, err)
		} else if n < 1 || n > 500 {
			t.Fatalf("parseInt(%q) = %d, out of 1..500", s, n)
		}
		d, err := parseDuration(InputTimeout, s)
		if err != nil {
			checkErr(t, InputTimeout, err)
		} else if d <= 0 || d > 24*time.Hour {
			t.Fatalf("parseDuration(%q) = %v, out of (0, 24h]", s, d)
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
		case !isID && (!isHostname(zone) || !strings.Contains(zone, ".") || strings.HasSuffix(zone, ".") || zone != strings.TrimSuffix(strings.ToLower(s), ".")):
			t.Fatalf("parseZone(%q) = name %q", s, zone)
		}
	})
}

// FuzzLoad fuzzes the whole configuration: whatever the inputs, Load
// never panics, its errors are input errors, and no error shows the token.
func FuzzLoad(f *testing.F) {
	f.Add("example.com", "Staging", "https://example.com/a", "a,b", "https://example.com", "", "5m")
	f.Add(token, token, token, token, "https://x/"+token, token, token)
	f.Add("023e105f4ecef8ad9ca31a8372d0c353", "", "", "", "", "true", "0s")
	f.Add("x", "a\x00", `{"url": "`+token+`"}`, strings.Repeat("x", 200)+token, "ftp://"+token, "nope", "1")
	f.Fuzz(func(t *testing.T, zone, env, files, tags, apiURL, everything, timeout string) {
		in := map[string]string{
			InputAPIToken: token, InputZone: zone, InputEnvironment: env, InputFiles: files, InputTags: tags,
			InputAPIURL: apiURL, InputPurgeEverything: everything, InputTimeout: timeout, InputBaseURL: "https://example.com",
		}
		c, err := Load(source(in, nil))
		if err != nil {
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("error %v is not an input error", err)
			}
			if containsAny(err.Error(), []string{token}) {
				t.Fatalf("error shows the token: %v", err)
			}
			return
		}
		if c.Items.Count() == 0 || c.Auth.Token != token || (c.Items.Everything && c.Items.Count() != 1) {
			t.Fatalf("accepted config %+v", c)
		}
	})
}
