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
		{name: "whitespace separates paths, as the contract says", base: "https://example.com", files: "/a.css  css/b.css\t/c.js",
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
		{name: "sub-delims stay as browsers send them", base: "https://example.com", files: "logo(1)!'*,;=+&$:@~.png",
			want: []string{"https://example.com/logo(1)!'*,;=+&$:@~.png"}},
		{name: "./ segments are dropped", base: "https://example.com", files: "./css/./app.css\ncss/.",
			want: []string{"https://example.com/css/app.css", "https://example.com/css/"}},
		{name: "JSON url paths are escaped too", base: "https://example.com", files: `{"url": "img/my cat.jpg", "headers": {"CF-Device-Type": "mobile"}}`,
			want: []string{"https://example.com/img/my%20cat.jpg"}},
		{name: "full URLs: several on a line, not re-escaped", base: "https://example.com", files: "https://EXAMPLE.com/a%20b.css?v=1 https://example.com/c(1).css#x\nHTTPS://cdn.example.com/%C3%A9",
			want: []string{"https://example.com/a%20b.css?v=1", "https://example.com/c(1).css#x", "https://cdn.example.com/%C3%A9"}},
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
			set := newFileSet()
			err := ParseFiles(strings.NewReader(tt.files), InputFilesFrom, base, set.add)
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

// An input that holds a credential, in any case or encoding, is refused
// with exit 2: one problem naming the input, its value hidden, and none
// of its other problems (they would quote it).
func TestLoadRefusesCredentials(t *testing.T) {
	t.Parallel()
	key, email := "c0ffeec0ffee0123456789abcdef0123456789", "Someone.Private@example.com"
	upper, lower := strings.ToUpper(token), strings.ToLower(token)
	dir := t.TempDir()
	write := func(name, content string) string {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return name
	}
	// \164 is t: only the unquoted name holds the token.
	quoted := write("quoted.txt", "css/a.css\n\"x/\\164"+token[1:]+".css\"\n")
	jsonEsc := write("json.txt", `{"url": "/\u0074`+token[1:]+`"}`+"\n")
	plain := write("plain.txt", "css/a.css\nhttps://example.com/?t="+lower+"\n")
	tests := []struct {
		name   string
		inputs map[string]string // over a token, zone example.com and tags a
		input  string            // the input named
	}{
		{"zone", map[string]string{InputZone: token}, InputZone},
		{"zone, lower case", map[string]string{InputZone: lower + ".example.com"}, InputZone},
		{"account-id", map[string]string{InputAccountID: upper}, InputAccountID},
		{"environment", map[string]string{InputEnvironment: "Staging, " + upper}, InputEnvironment},
		{"tag", map[string]string{InputTags: "a," + lower}, InputTags},
		{"host, upper case", map[string]string{InputHosts: upper + ".example.com"}, InputHosts},
		{"host, as is", map[string]string{InputHosts: token + ".example.com"}, InputHosts},
		{"prefix host", map[string]string{InputPrefixes: upper + ".example.com/a"}, InputPrefixes},
		{"prefix path", map[string]string{InputPrefixes: "example.com/" + token}, InputPrefixes},
		{"files URL host", map[string]string{InputFiles: "https://" + upper + ".example.com/a"}, InputFiles},
		{"files path", map[string]string{InputFiles: "a/" + token + ".css", InputBaseURL: "https://example.com"}, InputFiles},
		{"files header", map[string]string{InputFiles: `{"url": "https://example.com/", "headers": {"Authorization": "Bearer ` + lower + `"}}`}, InputFiles},
		{"files-from path", map[string]string{InputFilesFrom: token + ".txt"}, InputFilesFrom},
		{"files-from line", map[string]string{InputFilesFrom: plain, InputBaseURL: "https://example.com"}, InputFilesFrom},
		{"files-from git-quoted line", map[string]string{InputFilesFrom: quoted, InputBaseURL: "https://example.com"}, InputFilesFrom},
		{"files-from JSON-escaped url", map[string]string{InputFilesFrom: jsonEsc, InputBaseURL: "https://example.com"}, InputFilesFrom},
		{"base-url", map[string]string{InputBaseURL: "https://example.com/" + upper, InputFiles: "a.css"}, InputBaseURL},
		{"api-url", map[string]string{InputAPIURL: "https://proxy.example/" + lower}, InputAPIURL},
		{"api-url user info", map[string]string{InputAPIURL: "https://ci:" + token + "@proxy.example/"}, InputAPIURL},
		{"key, in a tag", map[string]string{InputAPIToken: "", InputAPIKey: key, InputAPIEmail: email, InputTags: strings.ToUpper(key)}, InputTags},
		{"email, in a prefix", map[string]string{InputAPIToken: "", InputAPIKey: key, InputAPIEmail: email, InputPrefixes: "example.com/" + strings.ToLower(email)}, InputPrefixes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := map[string]string{InputAPIToken: token, InputZone: "example.com", InputTags: "a"}
			for k, v := range tt.inputs {
				in[k] = v
			}
			src := source(in, nil)
			src.Dir = dir
			_, err := Load(src)
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("error %v, want an input error", err)
			}
			var about []*InputError
			for _, e := range Problems(err) {
				if ie, ok := e.(*InputError); ok && ie.Input == tt.input {
					about = append(about, ie)
				}
			}
			if len(about) != 1 || about[0].Value != "" || !strings.Contains(about[0].Problem, "value hidden: it contains a credential") {
				t.Errorf("problems about %s: %v; want one, value hidden: it contains a credential\n%v", tt.input, about, err)
			}
			for _, s := range []string{token, key, email} {
				if containsAny(err.Error(), []string{s}) || containsAny(err.Error(), []string{s[:10]}) {
					t.Errorf("the error shows %q, in some case: %v", s[:10], err)
				}
			}
		})
	}
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
