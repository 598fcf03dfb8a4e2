package config

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// Entries are separated by whitespace. With base-url, an entry that is not
// a URL is a path: a file name, quoted by git (or by hand, for spaces) or
// not, percent-encoded segment by segment. Full URLs are kept byte for byte.
func TestParseFilesPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, base, files string
		want              []string
		err               string // in the error, instead of want
	}{
		{name: "whitespace separates paths, as the README says", base: "https://example.com", files: "/a.css  css/b.css\t/c.js",
			want: []string{"https://example.com/a.css", "https://example.com/css/b.css", "https://example.com/c.js"}},
		{name: "a name with spaces is quoted", base: "https://example.com/site/", files: `  "/my dir/a  b.css" /c.css`,
			want: []string{"https://example.com/site/my%20dir/a%20%20b.css", "https://example.com/site/c.css"}},
		{name: "git's quoted name: octal UTF-8 bytes", base: "https://example.com", files: `"caf\303\251.css"`,
			want: []string{"https://example.com/caf%C3%A9.css"}},
		{name: "git's quoted name: C escapes", base: "https://example.com", files: `"dir/a\"b\\c\td.css"`,
			want: []string{"https://example.com/dir/a%22b%5Cc%09d.css"}},
		{name: "unquoted non-ASCII (core.quotePath=false)", base: "https://example.com", files: "café/ünï.css",
			want: []string{"https://example.com/caf%C3%A9/%C3%BCn%C3%AF.css"}},
		{name: "# is a character of the name, not a fragment", base: "https://example.com", files: "h#1.css",
			want: []string{"https://example.com/h%231.css"}},
		{name: "? is a character of the name, not a query", base: "https://example.com", files: "what?.html",
			want: []string{"https://example.com/what%3F.html"}},
		{name: "% is a character of the name", base: "https://example.com", files: "100%.css\na%20b.css",
			want: []string{"https://example.com/100%25.css", "https://example.com/a%2520b.css"}},
		{name: "sub-delims stay as browsers send them", base: "https://example.com", files: "logo(1)!',;=+&$:@~.png",
			want: []string{"https://example.com/logo(1)!',;=+&$:@~.png"}},
		{name: "./ segments are dropped", base: "https://example.com", files: "./css/./app.css\ncss/.",
			want: []string{"https://example.com/css/app.css", "https://example.com/css/"}},
		{name: "JSON url paths are escaped too", base: "https://example.com", files: `{"url": "img/my cat.jpg", "headers": {"CF-Device-Type": "mobile"}}`,
			want: []string{"https://example.com/img/my%20cat.jpg"}},
		{name: "full URLs: several on a line, not re-escaped, no fragment", base: "https://example.com", files: "https://EXAMPLE.com/a%20b.css?v=1 https://example.com/c(1).css#x\nHTTPS://cdn.example.com/%C3%A9",
			want: []string{"https://example.com/a%20b.css?v=1", "https://example.com/c(1).css", "https://cdn.example.com/%C3%A9"}},
		{name: "full URLs without base-url", files: "https://example.com/a https://example.com/b",
			want: []string{"https://example.com/a", "https://example.com/b"}},
		{name: "URLs and paths mix on a line", base: "https://example.com", files: "https://cdn.example.com/a b.css",
			want: []string{"https://cdn.example.com/a", "https://example.com/b.css"}},
		{name: "a quoted entry is a file name, even with ://", base: "https://example.com", files: `"https://x"`, want: []string{"https://example.com/https://x"}},
		{name: "a path without base-url is refused", files: "my file.css", err: "set base-url"},
		{name: "an unclosed quote is refused", base: "https://example.com", files: `"a b.css`, err: "not closed"},
		{name: "text right after a quoted name is refused", base: "https://example.com", files: `"a"b.css`, err: "right after a quoted name"},
		{name: "an empty quoted name is refused", base: "https://example.com", files: `""`, err: "empty quoted name"},
		{name: "bad quoting is refused", base: "https://example.com", files: `"a\q.css"`, err: "not quoted as git quotes it"},
		{name: ".. is refused", base: "https://example.com/site", files: "../secret.txt", err: `goes up with ".."`},
		{name: "another scheme is still a URL", base: "https://example.com", files: "ftp://example.com/a", err: "http or https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var base *url.URL
			if tt.base != "" {
				var err error
				if base, err = url.Parse(tt.base); err != nil {
					t.Fatal(err)
				}
			}
			set := newFileSet(naming{})
			err := parseFiles(strings.NewReader(tt.files), InputFilesFrom, base, naming{}, set.add)
			if tt.err != "" {
				if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range set.list {
				got = append(got, f.URL)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("URLs (-want +got):\n%s", diff)
			}
		})
	}
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
		{strings.Repeat("x", maxLineBytes+1), "https://example.com"},
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
		set := newFileSet(naming{})
		err := parseFiles(strings.NewReader(files), InputFiles, base, naming{}, set.add)
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
		"logo(1)!',;=+&$:@~.png", "assets/*", "\x00\x7f\xff\\", "[]{}|^`<>\"", ".", "", "\u00a0\u2028"} {
		f.Add(s, "https://Example.COM/site/")
	}
	f.Fuzz(func(t *testing.T, p, baseText string) {
		base, err := url.Parse(baseText)
		if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") || base.RawQuery != "" || base.ForceQuery || base.Fragment != "" || base.User != nil {
			return
		}
		got, err := joinPath(base, p, naming{})
		var segs []string
		for _, s := range strings.Split(strings.TrimLeft(p, "/"), "/") {
			if s != "." {
				segs = append(segs, s)
			}
		}
		// The base as the cache key it names (host in lower-case ASCII, no
		// default port).
		prefix, baseErr := CacheKeyURL(strings.TrimRight(base.String(), "/") + "/")
		if err != nil {
			if baseErr == nil && !strings.Contains("/"+p+"/", "/../") && !strings.Contains(err.Error(), "not a valid URL") && !strings.Contains(p, "*") {
				t.Fatalf("joinPath(%q, %q): %v", baseText, p, err)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil || baseErr != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || !strings.HasPrefix(prefix, u.Scheme+"://"+u.Host+"/") || strings.IndexFunc(got, isSpaceOrControl) >= 0 {
			t.Fatalf("joinPath(%q, %q) = %q: not a URL under base without query or fragment (%v, %v)", baseText, p, got, err, baseErr)
		}
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
