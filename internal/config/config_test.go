package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

const token = "tEsT0kEn-0123456789abcdefghijklmnopqrstu"

// containsFold tells whether s holds sub in any case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// source is a fake Source: inputs as the runner gives them (action.yml's
// defaults filled in unless absent), environment variables, a directory.
func source(inputs, env map[string]string) Source {
	return Source{
		Input:  func(name string) string { return inputs[name] },
		Getenv: func(k string) string { return env[k] },
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	base := Config{
		Auth: Auth{Token: token}, Zones: []Zone{{ID: "023e105f4ecef8ad9ca31a8372d0c353"}},
		APIURL: DefaultAPIURL, Timeout: 5 * time.Minute, MaxRetries: 5,
		IfNoCredentials: NoCredentialsError,
	}
	with := func(f func(*Config)) *Config {
		c := base
		f(&c)
		return &c
	}
	minimal := map[string]string{InputAPIToken: token, InputZone: "023e105f4ecef8ad9ca31a8372d0c353"}
	plus := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range minimal {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name   string
		inputs map[string]string
		env    map[string]string
		want   *Config
	}{
		{
			name:   "defaults when inputs are absent",
			inputs: plus(map[string]string{InputTags: "a"}),
			want:   with(func(c *Config) { c.Items.Tags = []string{"a"} }),
		},
		{
			name:   "environment fallbacks",
			inputs: map[string]string{InputTags: "a"},
			env: map[string]string{"CLOUDFLARE_API_TOKEN": token, "CLOUDFLARE_ZONE_ID": "023E105F4ECEF8AD9CA31A8372D0C353",
				"CLOUDFLARE_BASE_URL": "http://127.0.0.1:8787/client/v4/", "CLOUDFLARE_ACCOUNT_ID": "01a7362d577a6c3019a474fd6f485823"},
			want: with(func(c *Config) {
				c.Items.Tags = []string{"a"}
				c.APIURL = "http://127.0.0.1:8787/client/v4"
				c.AccountID = "01a7362d577a6c3019a474fd6f485823"
			}),
		},
		{
			name:   "inputs win over the environment; blank inputs fall back",
			inputs: map[string]string{InputAPIToken: "  ", InputZone: "Example.COM", InputTags: "a", InputAPIURL: "https://proxy.example/v4"},
			env:    map[string]string{"CLOUDFLARE_API_TOKEN": token, "CLOUDFLARE_ZONE_ID": "ffffffffffffffffffffffffffffffff", "CLOUDFLARE_BASE_URL": "http://ignored.example"},
			want: with(func(c *Config) {
				c.Items.Tags = []string{"a"}
				c.Zones = []Zone{{Name: "example.com"}}
				c.APIURL = "https://proxy.example/v4"
			}),
		},
		{
			name: "several zones, by ID and by name, separated by newlines or commas; the same zone given twice is one",
			inputs: map[string]string{InputAPIToken: token, InputTags: "a",
				InputZone: "example.com, Example.ORG.\n023E105F4ECEF8AD9CA31A8372D0C353\n,example.com,\n\n023e105f4ecef8ad9ca31a8372d0c353"},
			want: with(func(c *Config) {
				c.Items.Tags = []string{"a"}
				c.Zones = []Zone{{Name: "example.com"}, {Name: "example.org"}, {ID: "023e105f4ecef8ad9ca31a8372d0c353"}}
			}),
		},
		{
			name:   "several zones from the environment",
			inputs: map[string]string{InputAPIToken: token, InputTags: "a"},
			env:    map[string]string{"CLOUDFLARE_ZONE_ID": "example.com,example.org"},
			want: with(func(c *Config) {
				c.Items.Tags = []string{"a"}
				c.Zones = []Zone{{Name: "example.com"}, {Name: "example.org"}}
			}),
		},
		{
			name: "Global API key and email",
			inputs: map[string]string{InputAPIKey: "0123456789abcdef0123456789abcdef01234", InputAPIEmail: "me@example.com",
				InputZone: "023e105f4ecef8ad9ca31a8372d0c353", InputPurgeEverything: "true"},
			want: with(func(c *Config) {
				c.Auth = Auth{Key: "0123456789abcdef0123456789abcdef01234", Email: "me@example.com"}
				c.Items.Everything = true
			}),
		},
		{
			name: "deduplication: tags case-insensitively, hosts and prefix hosts lower-cased, environments exactly",
			inputs: plus(map[string]string{
				InputTags:        "Assets, html\nassets HTML\tcss",
				InputHosts:       "WWW.example.com www.example.com,cdn.example.com",
				InputPrefixes:    "WWW.example.com/A www.example.com/A www.example.com/a",
				InputEnvironment: "Staging, Development\nStaging\n staging ,",
			}),
			want: with(func(c *Config) {
				c.Items.Tags = []string{"Assets", "html", "css"}
				c.Items.Hosts = []string{"www.example.com", "cdn.example.com"}
				c.Items.Prefixes = []string{"www.example.com/A", "www.example.com/a"}
				c.Environments = []string{"Staging", "Development", "staging"}
			}),
		},
		{
			name: "files: whitespace, comments, JSON lines, dedup by URL and headers, host lower-cased, path kept",
			inputs: plus(map[string]string{InputFiles: "https://EXAMPLE.com/A.css https://example.com/A.css\n" +
				"# a comment https://example.com/not-this\n" +
				"  https://example.com/a.css\n" +
				`{"url": "https://example.com/A.css", "headers": {"CF-Device-Type": "mobile"}}` + "\n" +
				`{"url": "https://example.com/A.css", "headers": {"CF-Device-Type": "mobile"}}` + "\n" +
				`{"url": "https://example.com/A.css", "headers": {}}`,
			}),
			want: with(func(c *Config) {
				c.Items.Files = []File{
					{URL: "https://example.com/A.css"},
					{URL: "https://example.com/a.css"},
					{URL: "https://example.com/A.css", Headers: map[string]string{"CF-Device-Type": "mobile"}},
				}
			}),
		},
		{
			name: "base-url joins paths, keeps full URLs",
			inputs: plus(map[string]string{InputBaseURL: "https://WWW.example.com/site/",
				InputFiles: "css/app.css\n/index.html\n//double.js\nhttps://cdn.example.com/x.js\n" + `{"url": "img/cat.jpg", "headers": {"Origin": "https://www.example.com"}}`}),
			want: with(func(c *Config) {
				c.Items.Files = []File{
					{URL: "https://www.example.com/site/css/app.css"},
					{URL: "https://www.example.com/site/index.html"},
					{URL: "https://www.example.com/site/double.js"},
					{URL: "https://cdn.example.com/x.js"},
					{URL: "https://www.example.com/site/img/cat.jpg", Headers: map[string]string{"Origin": "https://www.example.com"}},
				}
			}),
		},
		{
			name:   "numbers, durations and booleans",
			inputs: plus(map[string]string{InputTags: "a", InputFilesPerRequest: "500", InputMaxRetries: "0", InputTimeout: "90s", InputDryRun: "TRUE"}),
			want: with(func(c *Config) {
				c.Items.Tags = []string{"a"}
				c.FilesPerRequest, c.MaxRetries, c.Timeout, c.DryRun = 500, 0, 90*time.Second, true
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Load(source(tt.inputs, tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

// Every error is an *InputError (exit 2) naming its input; several
// problems are all reported at once.
func TestLoadErrors(t *testing.T) {
	t.Parallel()
	in := map[string]string{InputAPIToken: "short", InputZone: "not a zone", InputTags: "a b\x01", InputTimeout: "0s", InputFilesPerRequest: "x"}
	_, err := Load(source(in, nil))
	if !isInput(err) {
		t.Fatalf("error %v is not an input error", err)
	}
	var names []string
	for _, e := range Problems(err) {
		ie, ok := e.(*InputError)
		if !ok {
			t.Errorf("%T %v is not an *InputError", e, e)
			continue
		}
		names = append(names, ie.Input)
	}
	want := []string{InputAPIToken, InputZone, InputFilesPerRequest, InputTimeout, InputTags}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("inputs named (-want +got):\n%s", diff)
	}
}

// Absurd inputs end in a clear error, not a crash or a run out of memory.
func TestLoadBounds(t *testing.T) {
	t.Parallel()
	in := func(k, v string) map[string]string {
		return map[string]string{InputAPIToken: token, InputZone: "example.com", k: v}
	}
	line := "https://example.com/" + strings.Repeat("a", 10<<20)
	var million strings.Builder
	for i := range 1_000_000 {
		million.WriteString("t")
		million.WriteString(itoa(i))
		million.WriteByte(',')
	}
	tests := []struct {
		name, input, value, want string
	}{
		{"a line of 10 MB in files", InputFiles, line, "line 1 is longer than 65536 bytes"},
		{"a million tags", InputTags, million.String(), "has more than 100000 items"},
		{"a million hosts", InputHosts, strings.Repeat("a.example.com b.example.com ", 1) + hosts(200_000), "has more than 100000 items"},
		{"51 environments", InputEnvironment, envs(51), "at most 50 are allowed"},
		{"a 256-character environment", InputEnvironment, strings.Repeat("e", 256), "at most 255 characters"},
		{"a 32-slash prefix", InputPrefixes, "example.com" + strings.Repeat("/a", 32), "has 32 path separators"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(source(in(tt.input, tt.value), nil))
			if !isInput(err) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "input "+tt.input) {
				t.Errorf("error %.300v, want one naming %s with %q", err, tt.input, tt.want)
			}
			if len(err.Error()) > 1000 {
				t.Errorf("error is %d bytes long: values must be shortened", len(err.Error()))
			}
		})
	}

	// A 10 MB line in files-from too.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "huge.txt"), []byte("https://example.com/ok\n"+line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := source(in(InputFilesFrom, "huge.txt"), nil)
	src.Dir = dir
	if _, err := Load(src); err == nil || !strings.Contains(err.Error(), "line 2 is longer than 65536 bytes") {
		t.Errorf("files-from with a 10 MB line: %v", err)
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func hosts(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("h" + itoa(i) + ".example.com\n")
	}
	return b.String()
}

func envs(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("Env " + itoa(i) + "\n")
	}
	return b.String()
}

// 100,000 URLs from files-from load within a bounded memory: the config
// holds each URL once, plus the deduplication set.
func TestLoad100kURLs(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 100,000 URLs")
	}
	dir := t.TempDir()
	var b strings.Builder
	for i := range 100_000 {
		b.WriteString("/assets/" + itoa(i) + "/app.min.js\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "list.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	src := source(map[string]string{InputAPIToken: token, InputZone: "example.com", InputFilesFrom: "list.txt", InputBaseURL: "https://www.example.com"}, nil)
	src.Dir = dir

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, err := Load(src)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items.Files) != 100_000 || c.Items.Files[99_999].URL != "https://www.example.com/assets/99999/app.min.js" {
		t.Fatalf("%d files, last %+v", len(c.Items.Files), c.Items.Files[len(c.Items.Files)-1])
	}
	// About 50 bytes of URL each: the Config should hold well under 64 MB
	// (a generous bound: the measure includes the test's own garbage).
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("100,000 URLs: %.1f MB held after Load, %.1f MB allocated during it", float64(held)/(1<<20), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
	if held > 64<<20 {
		t.Errorf("Load holds %d MB for 100,000 URLs", held>>20)
	}
	runtime.KeepAlive(c)
}

// FuzzLoad fuzzes the whole configuration: whatever the inputs, in either
// mode, Load never panics, its errors are input errors, and no error shows
// the token or a URL's password.
func FuzzLoad(f *testing.F) {
	f.Add("example.com", "Staging", "https://example.com/a", "a,b", "https://example.com", "", "5m", "", "", false)
	f.Add(token, token, token, token, "https://x/"+token, token, token, token, token, true)
	f.Add("023e105f4ecef8ad9ca31a8372d0c353", "", "", "", "", "true", "0s", "https://example.com/", "http://127.0.0.1:1", false)
	f.Add("x", "a\x00", `{"url": "`+token+`"}`, strings.Repeat("x", 200)+token, "ftp://"+token, "nope", "1", "css/a.css", "http://h/p", true)
	f.Add("example.com", "", "https://u:hunter2@example.com/", "", "", "", "5m", "https://u:hunter2@x/", "http://u:hunter2@h:1", false)
	f.Fuzz(func(t *testing.T, zone, env, files, tags, apiURL, everything, timeout, verifyURLs, edgeURL string, cli bool) {
		in := map[string]string{
			InputAPIToken: token, InputZone: zone, InputEnvironment: env, InputFiles: files, InputTags: tags,
			InputAPIURL: apiURL, InputPurgeEverything: everything, InputTimeout: timeout, InputBaseURL: "https://example.com",
			InputVerifyURLs: verifyURLs, InputEdgeURL: edgeURL,
		}
		src := source(in, nil)
		src.CLI = cli
		c, err := Load(src)
		if err != nil {
			if !isInput(err) {
				t.Fatalf("error %v is not an input error", err)
			}
			if containsFold(err.Error(), token) {
				t.Fatalf("error shows the token: %v", err)
			}
			if strings.Contains(err.Error(), ":hunter2@") {
				t.Fatalf("error shows a password: %v", err)
			}
			return
		}
		if c.Items.Count() == 0 || c.Auth.Token != token || (c.Items.Everything && c.Items.Count() != 1) {
			t.Fatalf("accepted config %+v", c)
		}
	})
}

// Problems come in one order, whatever they are: a value refused for the
// credential it holds takes its input's place.
func TestLoadErrorsOneOrder(t *testing.T) {
	t.Parallel()
	in := map[string]string{InputAPIToken: token, InputZone: "not a zone", InputEnvironment: token, InputTimeout: "x",
		InputEdgeURL: "ftp://x", InputTags: "a\x01", InputVerifyURLs: "css/a.css", InputBaseURL: token}
	var names []string
	for _, e := range Problems(func() error { _, err := Load(source(in, nil)); return err }()) {
		names = append(names, e.(*InputError).Input)
	}
	want := []string{InputZone, InputEnvironment, InputTimeout, InputEdgeURL, InputBaseURL, InputTags, InputVerifyURLs}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("inputs named (-want +got):\n%s", diff)
	}
}

// isInput tells whether err is classified as an input error (exit 2).
func isInput(err error) bool {
	var e *result.Error
	return errors.As(err, &e) && e.Kind == result.ErrorInput
}
