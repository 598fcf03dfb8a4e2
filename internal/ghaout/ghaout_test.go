package ghaout

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// goGitHubActionsDelimiter is the one delimiter go-githubactions v1.4.0
// writes every output with.
const goGitHubActionsDelimiter = "_GitHubActionsFileCommandDelimeter_"

// values that have broken or could break an outputs file.
var hardValues = []string{
	"",
	"x",
	"\n",
	"\n\n",
	"a\nb",
	"a\n",
	"\na",
	"a\r\nb",
	"a\r\n",
	"a\r",
	"\r",
	"\r\n",
	"\r\n\r\n",
	goGitHubActionsDelimiter,
	"x\n" + goGitHubActionsDelimiter + "\ny",
	goGitHubActionsDelimiter + "\n",
	"\n" + goGitHubActionsDelimiter,
	goGitHubActionsDelimiter + "\r\n" + goGitHubActionsDelimiter,
	"EOF\nEOF",
	"name<<EOF",
	"<<",
	"x<<y\nz<<",
	"a=b",
	"=",
	"ghadelimiter_",
	"ghadelimiter_00000000-0000-4000-8000-000000000000",
	"\uFEFFbom",
	"nul\x00byte",
	"tab\tand \u00a0nbsp",
	"::set-output name=x::y",
	`{"purged_count":2,"environments":[{"name":"Staging\nProd"}]}`,
	strings.Repeat("long line ", 10000),
	strings.Repeat("line\n", 1000),
}

// eols are the two line breaks Write may use, each with the runner that
// reads it: "\n" on Linux and macOS, "\r\n" on Windows (as os.EOL is).
var eols = []struct {
	nl      string
	windows bool
}{{"\n", false}, {"\r\n", true}}

// TestRoundTrip: every value comes back from the runner's parser as it was
// written, alone and among others in one file.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, e := range eols {
		var file strings.Builder
		var all []Output
		for i, v := range hardValues {
			name := "out-" + string(rune('a'+i%26)) + strings.Repeat("_", i/26)
			rec, err := encode(name, v, e.nl, randomDelimiter)
			if err != nil {
				t.Fatalf("encode(%q, %q): %v", name, v, err)
			}
			got, err := runnerParse(rec, e.windows)
			if err != nil {
				t.Errorf("windows %v: value %q: the runner refuses %q: %v", e.windows, v, rec, err)
				continue
			}
			if diff := cmp.Diff([]Output{{name, v}}, got); diff != "" {
				t.Errorf("windows %v: value %q (-want +got):\n%s", e.windows, v, diff)
			}
			file.WriteString(rec)
			all = append(all, Output{name, v})
		}
		got, err := runnerParse(file.String(), e.windows)
		if err != nil {
			t.Fatalf("windows %v: the runner refuses the file of all values: %v", e.windows, err)
		}
		if diff := cmp.Diff(all, got); diff != "" {
			t.Errorf("windows %v: all values in one file (-want +got):\n%s", e.windows, diff)
		}
	}
}

// TestFixedDelimiterBreaksTheFile: what ghaout prevents. A value holding
// go-githubactions' delimiter on a line of its own, written as that library
// writes it, makes the runner refuse the file; the same value from Write
// does not.
func TestFixedDelimiterBreaksTheFile(t *testing.T) {
	t.Parallel()
	d := goGitHubActionsDelimiter
	value := "id\n" + d + "\nrest"
	fixed := "purged-count<<" + d + "\n2\n" + d + "\n" + "purge-ids<<" + d + "\n" + value + "\n" + d + "\n"
	if _, err := runnerParse(fixed, false); err == nil {
		t.Fatalf("the model accepts a value that ends its output early:\n%s", fixed)
	}
	var b bytes.Buffer
	if err := Write(&b, "purged-count", "2"); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, "purge-ids", value); err != nil {
		t.Fatal(err)
	}
	got, err := runnerParse(b.String(), eol == "\r\n")
	if err != nil {
		t.Fatalf("the runner refuses Write's file: %v\n%s", err, b.String())
	}
	if diff := cmp.Diff([]Output{{"purged-count", "2"}, {"purge-ids", value}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDelimiterForm: "ghadelimiter_" and a version 4 UUID, fresh for each
// output.
func TestDelimiterForm(t *testing.T) {
	t.Parallel()
	form := regexp.MustCompile(`^ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		var b bytes.Buffer
		if err := Write(&b, "x", "v"); err != nil {
			t.Fatal(err)
		}
		header, _, _ := strings.Cut(b.String(), eol)
		d := strings.TrimPrefix(header, "x<<")
		if !form.MatchString(d) {
			t.Fatalf("delimiter %q; want the form %s", d, form)
		}
		if want := "x<<" + d + eol + "v" + eol + d + eol; b.String() != want {
			t.Fatalf("record %q; want %q", b.String(), want)
		}
		if seen[d] {
			t.Fatalf("delimiter %q drawn twice", d)
		}
		seen[d] = true
	}
}

// TestDelimiterCollision: a delimiter that occurs in the name or the value
// (or that the runner could not read back) is drawn again; a source that
// keeps colliding, or fails, is an error, never a broken file.
func TestDelimiterCollision(t *testing.T) {
	t.Parallel()
	errSource := errors.New("no randomness")
	tests := []struct {
		name        string
		out, value  string
		draws       []string // the source's answers; the last repeats
		wantRec     string   // "": an error
		wantDraws   int
		wantErrIsTo error
	}{
		{"first draw", "n", "v", []string{"AAA", "BBB"}, "n<<AAA\nv\nAAA\n", 1, nil},
		{"in the value", "n", "xAAAx", []string{"AAA", "BBB"}, "n<<BBB\nxAAAx\nBBB\n", 2, nil},
		{"a line of the value", "n", "x\nAAA\ny", []string{"AAA", "BBB"}, "n<<BBB\nx\nAAA\ny\nBBB\n", 2, nil},
		{"in the name", "n_AAA", "v", []string{"AAA", "BBB"}, "n_AAA<<BBB\nv\nBBB\n", 2, nil},
		{"unreadable draws", "n", "v", []string{"A\nB", "A<<B", "CCC"}, "n<<CCC\nv\nCCC\n", 3, nil},
		{"empty draw", "n", "v", []string{"", "CCC"}, "n<<CCC\nv\nCCC\n", 2, nil},
		{"compared by bytes", "n", "aaa", []string{"AAA"}, "n<<AAA\naaa\nAAA\n", 1, nil},
		{"always colliding", "n", "AAA", []string{"AAA"}, "", delimiterTries, ErrInvalid},
		{"source fails", "n", "v", nil, "", 1, errSource},
	}
	for _, tt := range tests {
		n := 0
		draw := func() (string, error) {
			n++
			if tt.draws == nil {
				return "", errSource
			}
			return tt.draws[min(n, len(tt.draws))-1], nil
		}
		rec, err := encode(tt.out, tt.value, "\n", draw)
		if tt.wantRec == "" {
			if !errors.Is(err, tt.wantErrIsTo) {
				t.Errorf("%s: %q, %v; want an error wrapping %v", tt.name, rec, err, tt.wantErrIsTo)
			}
		} else if err != nil || rec != tt.wantRec {
			t.Errorf("%s: %q, %v; want %q", tt.name, rec, err, tt.wantRec)
		}
		if n != tt.wantDraws {
			t.Errorf("%s: %d draws; want %d", tt.name, n, tt.wantDraws)
		}
	}
}

// TestInvalid: a name a workflow cannot read, or one the runner's parser
// would split, and a value that is not UTF-8 are refused; nothing is
// written.
func TestInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, value string }{
		{"", "v"},
		{"a=b", "v"},
		{"a<<b", "v"},
		{"a\nb", "v"},
		{"a\r", "v"},
		{"1st", "v"},
		{"-x", "v"},
		{"a b", "v"},
		{"ümlaut", "v"},
		{"\uFEFFbom", "v"},
		{"ok", "\xff"},
		{"ok", "a\xc3"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		err := Write(&b, tt.name, tt.value)
		if !errors.Is(err, ErrInvalid) || b.Len() != 0 {
			t.Errorf("Write(%q, %q): %v, wrote %q; want an error wrapping ErrInvalid and nothing written", tt.name, tt.value, err, b.String())
		}
	}
	for _, name := range []string{"a", "_", "A_b-9", "purge-ids", "result"} {
		if err := Write(new(bytes.Buffer), name, "v"); err != nil {
			t.Errorf("Write(%q): %v", name, err)
		}
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	t.Parallel()
	if err := Write(failWriter{}, "x", "v"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write to a failing writer: %v; want its error", err)
	}
}

// TestWriteFile: outputs are appended after what the file holds (a line
// left unfinished is ended first), an invalid output is named in the error
// while the others are written, and the runner reads the result.
func TestWriteFile(t *testing.T) {
	t.Parallel()
	windows := eol == "\r\n"
	tests := []struct {
		name    string
		before  *string // nil: no file
		outputs []Output
		want    []Output
		wantErr string
	}{
		{name: "new file", outputs: []Output{{"a", "1"}, {"b", "x\ny"}}, want: []Output{{"a", "1"}, {"b", "x\ny"}}},
		{name: "empty file", before: ptr(""), outputs: []Output{{"a", "1"}}, want: []Output{{"a", "1"}}},
		{
			name: "after another step's outputs", before: ptr("old=1" + eol),
			outputs: []Output{{"a", goGitHubActionsDelimiter}}, want: []Output{{"old", "1"}, {"a", goGitHubActionsDelimiter}},
		},
		{
			name: "after an unfinished line", before: ptr("old=1"),
			outputs: []Output{{"a", "2"}}, want: []Output{{"old", "1"}, {"a", "2"}},
		},
		{
			name: "one invalid output", outputs: []Output{{"purged-count", "2"}, {"bad=name", "v"}, {"result", "{}"}},
			want: []Output{{"purged-count", "2"}, {"result", "{}"}}, wantErr: `output name "bad=name"`,
		},
		{name: "nothing valid", outputs: []Output{{"", "v"}}, wantErr: `output name ""`},
		{name: "no outputs"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "output")
		if tt.before != nil {
			if err := os.WriteFile(path, []byte(*tt.before), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		err := WriteFile(path, tt.outputs)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalid)):
			t.Errorf("%s: error %v; want one wrapping ErrInvalid with %q", tt.name, err, tt.wantErr)
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) && tt.before == nil && tt.want == nil {
			continue // nothing to write: no file made
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, err := runnerParse(string(b), windows)
		if err != nil {
			t.Errorf("%s: the runner refuses the file: %v\n%q", tt.name, err, b)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", tt.name, diff)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestWriteFileUnwritable: the error says which file could not be opened.
func TestWriteFileUnwritable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "no-such-dir", "output")
	err := WriteFile(path, []Output{{"a", "1"}})
	if err == nil || !strings.Contains(err.Error(), "GITHUB_OUTPUT") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WriteFile in a missing directory: %v; want an error naming GITHUB_OUTPUT and wrapping ErrNotExist", err)
	}
}

// FuzzRoundTrip: whatever the name and value, Write either refuses them
// (ErrInvalid, nothing written) or writes a record the runner reads back as
// exactly that output, with either line break and its runner. The first
// delimiter drawn is the fuzzer's own, so that it can make the value (or
// the name) hold it; the next ones are random.
func FuzzRoundTrip(f *testing.F) {
	for i, v := range hardValues {
		if len(v) < 1000 {
			f.Add([]string{"purge-ids", "result", "a", "x=y", "", "n<<"}[i%6], v, []string{"EOF", "", "\n", "x", "ghadelimiter_"}[i%5])
		}
	}
	f.Add("a", "x\nEOF\ny", "EOF")
	f.Add("EOF", "v", "EOF")
	f.Fuzz(func(t *testing.T, name, value, first string) {
		for _, e := range eols {
			drawn := false
			draw := func() (string, error) {
				if !drawn {
					drawn = true
					return first, nil
				}
				return randomDelimiter()
			}
			rec, err := encode(name, value, e.nl, draw)
			if err != nil {
				if !errors.Is(err, ErrInvalid) || rec != "" {
					t.Fatalf("encode(%q, %q): %q, %v; want only an error wrapping ErrInvalid", name, value, rec, err)
				}
				continue
			}
			got, err := runnerParse(rec, e.windows)
			if err != nil {
				t.Fatalf("windows %v: the runner refuses %q: %v", e.windows, rec, err)
			}
			if diff := cmp.Diff([]Output{{name, value}}, got); diff != "" {
				t.Fatalf("windows %v: %q (-want +got):\n%s", e.windows, rec, diff)
			}
		}
	})
}
