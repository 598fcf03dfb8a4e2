package config

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadURLsWithoutQuery: base-url and api-url refuse a query or a
// fragment, empty ones too ("https://example.com/?" parses with no RawQuery
// but ForceQuery set), which would otherwise end up in every URL built from
// them (https://example.com/?/css/a.css).
func TestLoadURLsWithoutQuery(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ input, value string }{
		{InputBaseURL, "https://example.com/?"},
		{InputBaseURL, "https://example.com?"},
		{InputBaseURL, "https://example.com/site?"},
		{InputBaseURL, "https://example.com/?a=b"},
		{InputBaseURL, "https://example.com/#"},
		{InputBaseURL, "https://example.com/#top"},
		{InputAPIURL, "https://example.com/client/v4?"},
		{InputAPIURL, "https://example.com/?"},
		{InputAPIURL, "https://example.com/client/v4?a=b"},
		{InputAPIURL, "https://example.com/client/v4#"},
		{InputAPIURL, "https://example.com/client/v4#x"},
	} {
		t.Run(tt.input+" "+tt.value, func(t *testing.T) {
			t.Parallel()
			in := map[string]string{InputAPIToken: token, InputZone: "example.com", InputFiles: "/css/a.css", tt.input: tt.value}
			if tt.input == InputAPIURL {
				in[InputFiles] = "https://example.com/css/a.css"
			}
			c, err := Load(source(in, nil))
			if err == nil {
				t.Fatalf("accepted; files %v, api-url %q", c.Items.Files, c.APIURL)
			}
			var named bool
			for _, p := range Problems(err) {
				var ie *InputError
				switch {
				case errors.As(p, &ie) && ie.Input == tt.input:
					named = true
				case errors.As(p, &ie) && ie.Input == InputFiles && tt.input == InputBaseURL:
					// The paths have no valid base-url to join.
				default:
					t.Errorf("unexpected problem: %v", p)
				}
			}
			if !named {
				t.Errorf("error %v does not name %s", err, tt.input)
			}
		})
	}

	// Without the mark, the same URLs are fine.
	in := map[string]string{InputAPIToken: token, InputZone: "example.com", InputFiles: "/css/a.css",
		InputBaseURL: "https://example.com/", InputAPIURL: "https://example.com/client/v4/"}
	c, err := Load(source(in, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items.Files) != 1 || c.Items.Files[0].URL != "https://example.com/css/a.css" || c.APIURL != "https://example.com/client/v4" {
		t.Errorf("files %v, api-url %q", c.Items.Files, c.APIURL)
	}
}

// A bad base-url is one error, not one more per path that needed it.
func TestBadBaseURLIsOneError(t *testing.T) {
	t.Parallel()
	_, err := Load(source(map[string]string{InputAPIToken: "tok-0123456789", InputZone: "example.com", InputFiles: "css/a.css js/b.js", InputBaseURL: "example.com"}, nil))
	problems := Problems(err)
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "input base-url") {
		t.Errorf("problems: %v; want the base-url one alone", problems)
	}
}

// The inputs of invalidation and verification, read and normalised.
func TestLoadInvalidateAndVerify(t *testing.T) {
	t.Parallel()
	in := map[string]string{
		InputAPIToken: token, InputZone: "example.com", InputTags: "html",
		InputInvalidate: "TRUE", InputVerify: "true", InputDryRun: "true", // verify on a dry run: allowed, does nothing
		InputVerifyURLs: "https://Example.com/a https://example.com/a\n# a comment\n\thttp://example.com/b?x=1\n",
		InputEdgeURL:    "HTTP://LocalHost:8788/",
	}
	c, err := Load(source(in, map[string]string{"CLOUDFLARE_EDGE_URL": "http://ignored.example"}))
	if err != nil {
		t.Fatal(err)
	}
	got := []any{c.Invalidate, c.Verify, c.DryRun, c.VerifyURLs, c.EdgeURL}
	want := []any{true, true, true, []string{"https://example.com/a", "http://example.com/b?x=1"}, "http://localhost:8788"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Defaults, and edge-url's fallback.
	c, err = Load(source(map[string]string{InputAPIToken: token, InputZone: "example.com", InputTags: "html"}, map[string]string{"CLOUDFLARE_EDGE_URL": "https://[::1]:8443"}))
	if err != nil {
		t.Fatal(err)
	}
	got = []any{c.Invalidate, c.Verify, c.VerifyURLs, c.EdgeURL}
	want = []any{false, false, []string(nil), "https://[::1]:8443"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestLoadInvalidateAndVerifyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ input, value, want string }{
		{InputInvalidate, "maybe", "must be true or false"},
		{InputInvalidate, "yes", "must be true or false"},
		{InputVerify, "1", "must be true or false"},
		{InputVerifyURLs, "css/a.css", "is not a URL: give full URLs"},
		{InputVerifyURLs, `"https://example.com/a"`, "is not a URL: give full URLs"},
		{InputVerifyURLs, `{"url": "https://example.com/a"}`, "takes plain URLs, not JSON objects"},
		{InputVerifyURLs, "ftp://example.com/a", "must be an http or https URL"},
		{InputVerifyURLs, "https://example.com/a b", "is not a URL"},
		{InputVerifyURLs, "https://", "is not a valid URL"},
		{InputVerifyURLs, `"unclosed`, "not closed"},
		{InputEdgeURL, "127.0.0.1:8788", "must be an http or https URL of a host and port"},
		{InputEdgeURL, "ftp://127.0.0.1:8788", "must be an http or https URL of a host and port"},
		{InputEdgeURL, "http://", "must be an http or https URL of a host and port"},
		{InputEdgeURL, "http://127.0.0.1:8788/edge", "without path, query or fragment"},
		{InputEdgeURL, "http://127.0.0.1:8788/?", "without path, query or fragment"},
		{InputEdgeURL, "http://127.0.0.1:8788?a=b", "without path, query or fragment"},
		{InputEdgeURL, "http://127.0.0.1:8788#", "without path, query or fragment"},
		{InputEdgeURL, "http://127.0.0.1:port", "must be an http or https URL of a host and port"},
	}
	for _, tt := range tests {
		t.Run(tt.input+" "+tt.value, func(t *testing.T) {
			t.Parallel()
			_, err := Load(source(map[string]string{InputAPIToken: token, InputZone: "example.com", InputTags: "a", tt.input: tt.value}, nil))
			problems := Problems(err)
			var ie *InputError
			if len(problems) != 1 || !errors.As(problems[0], &ie) || ie.Input != tt.input || !strings.Contains(ie.Problem, tt.want) {
				t.Errorf("problems %v; want one about %s with %q", problems, tt.input, tt.want)
			}
		})
	}

	// At most maxVerifyURLs.
	var b strings.Builder
	for i := range maxVerifyURLs + 1 {
		b.WriteString("https://example.com/" + itoa(i) + "\n")
	}
	if _, err := Load(source(map[string]string{InputAPIToken: token, InputZone: "example.com", InputTags: "a", InputVerifyURLs: b.String()}, nil)); err == nil || !strings.Contains(err.Error(), "has more than 1000 URLs") {
		t.Errorf("1001 verify-urls: %v", err)
	}
}

// A URL with user information is refused wherever URLs are given, naming
// the input, and the message shows neither the user nor the password.
func TestLoadRefusesCredentialsInURLs(t *testing.T) {
	t.Parallel()
	const user, pw = "alice.private", "s3cr3t-Passw0rd"
	withCreds := "https://" + user + ":" + pw + "@example.com/a.css"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "list.txt"), []byte("css/ok.css\n"+withCreds+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "json.txt"), []byte(`{"url": "`+withCreds+`"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		inputs map[string]string
		input  string
	}{
		{"files", map[string]string{InputFiles: "https://example.com/ok " + withCreds}, InputFiles},
		{"files, user only", map[string]string{InputFiles: "https://" + user + "@example.com/"}, InputFiles},
		{"files, password only", map[string]string{InputFiles: "https://:" + pw + "@example.com"}, InputFiles},
		{"JSON line", map[string]string{InputFiles: `{"url": "` + withCreds + `", "headers": {"Origin": "https://example.com"}}`}, InputFiles},
		{"JSON line without path", map[string]string{InputFiles: `{"url": "https://` + user + `:` + pw + `@example.com"}`}, InputFiles},
		{"files-from", map[string]string{InputFilesFrom: "list.txt", InputBaseURL: "https://example.com"}, InputFilesFrom},
		{"files-from JSON line", map[string]string{InputFilesFrom: "json.txt"}, InputFilesFrom},
		{"verify-urls", map[string]string{InputTags: "a", InputVerifyURLs: withCreds}, InputVerifyURLs},
		{"base-url", map[string]string{InputFiles: "css/a.css", InputBaseURL: "https://" + user + ":" + pw + "@example.com/site/"}, InputBaseURL},
		{"edge-url", map[string]string{InputTags: "a", InputEdgeURL: "http://" + user + ":" + pw + "@127.0.0.1:8788"}, InputEdgeURL},
		{"api-url", map[string]string{InputTags: "a", InputAPIURL: "https://" + user + ":" + pw + "@proxy.example/client/v4"}, InputAPIURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, cli := range []bool{false, true} {
				err := loadWith(tt.inputs, dir, cli)
				problems := Problems(err)
				var ie *InputError
				if len(problems) != 1 || !errors.As(problems[0], &ie) || ie.Input != tt.input || !strings.Contains(ie.Problem, "must not contain credentials") {
					t.Errorf("CLI %v: problems %v; want one about %s: must not contain credentials", cli, problems, tt.input)
				}
				if msg := err.Error(); strings.Contains(msg, pw) || strings.Contains(msg, user) || strings.Contains(msg, "s3cr3t") {
					t.Errorf("CLI %v: the message shows the credentials: %s", cli, msg)
				}
			}
		})
	}
}

// A URL that url.Parse refuses for its user information is quoted with it
// hidden too.
func TestLoadHidesUserinfoOfBadURLs(t *testing.T) {
	t.Parallel()
	for _, files := range []string{`https://a"b:s3cr3t@example.com/`, "https://a:s3cr3t@exa mple.com/", `{"url": "https://a\"b:s3cr3t@example.com"}`, "//a:s3cr3t@example.com/"} {
		_, err := Load(source(map[string]string{InputAPIToken: token, InputZone: "example.com", InputFiles: files}, nil))
		if err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("files %q: %v", files, err)
		}
	}
}

func TestHideUserinfo(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"no URL here", "no URL here"},
		{"https://example.com/logo@2x.png", "https://example.com/logo@2x.png"},
		{"https://u:p@example.com/a", "https://***@example.com/a"},
		{"https://u:p@example.com", "https://***@example.com"},
		{`"https://u:p@example.com" and http://x@h:1/?q=a@b`, `"https://***@example.com" and http://***@h:1/?q=a@b`},
		{"https://a@b@example.com/", "https://***@example.com/"},
		{`{"url": "https://u:p@h"}`, `{"url": "https://***@h"}`},
		{"x://", "x://"},
		// No scheme (a host or a prefix), and a backslash for a slash.
		{"u:pass@example.com/x", "***@example.com/x"},
		{"logo@2x.png", "logo@2x.png"},
		{"example.com/a:b@c", "example.com/a:***@c"}, // a little too much hidden costs nothing
		{"#:hunter2@", "#:***@"},
		{`https:/\u:pass@example.com/`, `https:/\***@example.com/`},
		{`https:\\u:pass@example.com/`, `https:\\***@example.com/`},
	} {
		if got := hideUserinfo(tt.in); got != tt.want {
			t.Errorf("hideUserinfo(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzHideUserinfo: what url.Parse reads as user information never
// survives, and text without "@" is left alone.
func FuzzHideUserinfo(f *testing.F) {
	for _, s := range []string{"https://u:p@example.com/a", "https://example.com/logo@2x.png", `"https://u:p@h"`, "a://b@c://d@e", "https://u:p%40@h/", "http://[::1]:80@x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := hideUserinfo(s)
		if !strings.Contains(s, "@") && got != s {
			t.Fatalf("hideUserinfo(%q) = %q: changed text without @", s, got)
		}
		if u, err := url.Parse(s); err == nil && u.User != nil {
			if h, err := url.Parse(got); err == nil && h.User != nil && h.User.Username() != "***" {
				t.Fatalf("hideUserinfo(%q) = %q keeps the user information %q", s, got, h.User.String())
			}
		}
	})
}

func FuzzParseVerifyURLs(f *testing.F) {
	for _, s := range []string{"https://example.com/a https://EXAMPLE.com/a\n# c\nhttp://x/b", "css/a.css", `{"url": "https://x/"}`, `"https://x"`, "https://u:p@x/", "ftp://x/", "https://", "\ufeffhttps://x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		urls, err := parseVerifyURLs(s, naming{})
		if err != nil {
			checkErr(t, InputVerifyURLs, err)
			return
		}
		seen := map[string]bool{}
		for _, v := range urls {
			u, err := url.Parse(v)
			switch {
			case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
				t.Fatalf("accepted %q, not an http(s) URL with a host (%v)", v, err)
			case u.User != nil:
				t.Fatalf("accepted %q with credentials", v)
			case strings.IndexFunc(v, isSpaceOrControl) >= 0:
				t.Fatalf("accepted %q with spaces", v)
			case seen[v]:
				t.Fatalf("duplicate %q", v)
			}
			seen[v] = true
		}
		if len(urls) > maxVerifyURLs {
			t.Fatalf("%d URLs", len(urls))
		}
	})
}

func FuzzParseEdgeURL(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8788", "HTTPS://Edge.Example:443/", "http://[::1]:80", "127.0.0.1:8788", "http://h/p", "http://h?", "http://h#", "http://u:p@h", "http://h:port", "mailto:x@y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseEdgeURL(s)
		if err != nil {
			checkErr(t, InputEdgeURL, err)
			return
		}
		if s == "" {
			if v != "" {
				t.Fatalf("parseEdgeURL(\"\") = %q", v)
			}
			return
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.HasSuffix(v, "/") {
			t.Fatalf("parseEdgeURL(%q) = %q: not scheme://host[:port] (%v)", s, v, err)
		}
	})
}

// A URL's password with a slash or a space in it ends where no URL parser
// ends the user information: it is hidden all the same, in every input.
func TestLoadHidesPasswordsWithSlashesAndSpaces(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"Pw1/Zq9", "Pw1 Zq9", "Pw1/Zq9 x/y"} {
		for _, in := range []map[string]string{
			{InputBaseURL: "https://user:" + pw + "@example.com/", InputFiles: "a.css"},
			{InputFiles: "https://user:" + pw + "@example.com/a"},
			{InputFiles: "https://example.com/b\nhttps://user:" + pw + "@example.com/a"},
			{InputFiles: `{"url": "https://user:` + pw + `@example.com/a"}`},
			{InputTags: "a", InputVerifyURLs: "https://user:" + pw + "@example.com/a"},
			{InputTags: "a", InputEdgeURL: "http://user:" + pw + "@127.0.0.1:8788"},
			{InputTags: "a", InputAPIURL: "https://user:" + pw + "@proxy.example/client/v4"},
			{InputHosts: "user:" + pw + "@example.com"},
			{InputHosts: "user:" + pw + "@example.com/x"},
			{InputHosts: "www.example.com, user:" + pw + "@example.com/x"},
			{InputPrefixes: "www.example.com/a\nuser:" + pw + "@example.com/x"},
			{InputPrefixes: "user:" + pw + "@example.com/x"},
			{InputPrefixes: "https://user:" + pw + "@example.com/x"},
		} {
			in[InputAPIToken], in[InputZone] = token, "example.com"
			for _, cli := range []bool{false, true} {
				src := source(in, nil)
				src.CLI = cli
				_, err := Load(src)
				if err == nil {
					t.Errorf("%v: accepted", in)
					continue
				}
				if msg := err.Error(); strings.Contains(msg, "Pw1") || strings.Contains(msg, "Zq9") {
					t.Errorf("%v: the error shows the password: %s", in, msg)
				}
			}
		}
	}
}
