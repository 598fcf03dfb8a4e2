package ghaout

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// The runner's refusals of a file, after its messages: it then fails the
// step with "Unable to process file command 'output'" and sets none of the
// step's outputs.
var (
	errNotFound    = errors.New("invalid value: matching delimiter not found")
	errMissingEOL  = errors.New("invalid value: EOF marker missing new line")
	errEmptyHeader = errors.New("invalid format: name must not be empty and delimiter must not be empty")
	errFormat      = errors.New("invalid format")
	errEmptyName   = errors.New("name must not be empty") // ExecutionContext.SetOutput
	errEncoding    = errors.New("not UTF-8 without a BOM: the runner would decode it otherwise")
)

// runnerParse reads an outputs file as the runner does: SetOutputFileCommand
// through EnvFileKeyValuePairs (actions/runner,
// src/Runner.Worker/FileCommandManager.cs), step for step, with the runner
// built for Windows (which also ends lines at "\r\n") or not. It returns
// the outputs in the order the runner sets them (a later one of the same
// name wins), or the runner's refusal of the whole file.
func runnerParse(text string, windows bool) ([]Output, error) {
	// File.ReadAllText: UTF-8, a leading BOM dropped. Other BOMs select
	// other encodings, and invalid bytes become U+FFFD: neither is
	// modelled, as Write writes neither.
	if strings.HasPrefix(text, "\xfe\xff") || strings.HasPrefix(text, "\xff\xfe") || !utf8.ValidString(text) {
		return nil, errEncoding
	}
	text = strings.TrimPrefix(text, "\uFEFF")

	// readLine is the runner's ReadLine: the line from index, without its
	// break; newline is "" (the runner's null) for a last line with none;
	// ok is false past the end.
	readLine := func(index int) (line string, next int, newline string, ok bool) {
		if index >= len(text) {
			return "", index, "", false
		}
		lf := strings.IndexByte(text[index:], '\n')
		if lf < 0 {
			return text[index:], len(text), "", true
		}
		lf += index
		if windows {
			if crlf := strings.Index(text[index:], "\r\n"); crlf >= 0 && crlf+index < lf {
				return text[index : crlf+index], crlf + index + 2, "\r\n", true
			}
		}
		return text[index:lf], lf + 1, "\n", true
	}

	var out []Output
	index := 0
	line, index, _, ok := readLine(index)
	for ok {
		if line != "" {
			var key, value string
			equals := strings.Index(line, "=")
			heredoc := strings.Index(line, "<<")
			switch {
			case equals >= 0 && (heredoc < 0 || equals < heredoc):
				// NAME=VALUE. The runner's check here tests the line,
				// never empty, so an empty name goes on to SetOutput.
				key, value, _ = strings.Cut(line, "=")
			case heredoc >= 0 && (equals < 0 || heredoc < equals):
				name, delimiter, _ := strings.Cut(line, "<<")
				if name == "" || delimiter == "" {
					return nil, errEmptyHeader
				}
				key = name
				start, end := index, index
				temp, next, newline, tok := readLine(index)
				index = next
				for !tok || temp != delimiter { // string.Equals(null, d) is false
					if !tok {
						return nil, errNotFound
					}
					if newline == "" {
						return nil, errMissingEOL
					}
					end = index - len(newline)
					temp, index, newline, tok = readLine(index)
				}
				if end > start {
					value = text[start:end]
				}
			default:
				return nil, errFormat
			}
			if key == "" {
				return nil, errEmptyName
			}
			out = append(out, Output{key, value})
		}
		line, index, _, ok = readLine(index)
	}
	return out, nil
}

// TestRunnerParse: the model agrees with the runner's own tests of the
// outputs file (src/Test/L0/Worker/SetOutputFileCommandL0.cs), whose files
// start with a BOM and join their lines with the platform's line break.
func TestRunnerParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		lines []string
		sep   string // "" for the platform's line break
		want  []Output
		err   error
	}{
		{name: "empty file", lines: []string{""}, want: nil},
		{name: "simple", lines: []string{"MY_OUTPUT=MY VALUE"}, want: []Output{{"MY_OUTPUT", "MY VALUE"}}},
		{
			name:  "skip empty lines",
			lines: []string{"", "MY_OUTPUT=my value", "", "MY_OUTPUT_2=my second value", ""},
			want:  []Output{{"MY_OUTPUT", "my value"}, {"MY_OUTPUT_2", "my second value"}},
		},
		{name: "empty value", lines: []string{"MY_OUTPUT="}, want: []Output{{"MY_OUTPUT", ""}}},
		{
			name:  "special characters",
			lines: []string{"MY_OUTPUT==abc", "MY_OUTPUT_2=def=ghi", "MY_OUTPUT_3=jkl="},
			want:  []Output{{"MY_OUTPUT", "=abc"}, {"MY_OUTPUT_2", "def=ghi"}, {"MY_OUTPUT_3", "jkl="}},
		},
		{
			name:  "heredoc",
			lines: []string{"MY_OUTPUT<<EOF", "line one", "line two", "line three", "EOF"},
			want:  []Output{{"MY_OUTPUT", "line one\x00line two\x00line three"}}, // \x00: the line break
		},
		{name: "heredoc empty value", lines: []string{"MY_OUTPUT<<EOF", "EOF"}, want: []Output{{"MY_OUTPUT", ""}}},
		{
			name:  "heredoc skip empty lines",
			lines: []string{"", "MY_OUTPUT<<EOF", "hello", "world", "EOF", "", "MY_OUTPUT_2<<EOF", "HELLO", "AGAIN", "EOF", ""},
			want:  []Output{{"MY_OUTPUT", "hello\x00world"}, {"MY_OUTPUT_2", "HELLO\x00AGAIN"}},
		},
		{
			name: "heredoc special characters",
			lines: []string{
				"MY_OUTPUT<<=EOF", "hello", "one", "=EOF",
				"MY_OUTPUT_2<<<EOF", "hello", "two", "<EOF",
				"MY_OUTPUT_3<<EOF", "hello", "", "three", "", "EOF",
				"MY_OUTPUT_4<<EOF", "hello=four", "EOF",
				"MY_OUTPUT_5<<EOF", " EOF", "EOF",
			},
			want: []Output{
				{"MY_OUTPUT", "hello\x00one"}, {"MY_OUTPUT_2", "hello\x00two"},
				{"MY_OUTPUT_3", "hello\x00\x00three\x00"}, {"MY_OUTPUT_4", "hello=four"}, {"MY_OUTPUT_5", " EOF"},
			},
		},
		{
			name:  "heredoc missing new line",
			lines: []string{"MY_OUTPUT<<EOF", "line one", "line two", "line three", "EOF"},
			sep:   " ",
			err:   errNotFound,
		},
		{
			name:  "heredoc missing new line, multiple lines",
			lines: []string{"MY_OUTPUT<<EOF", "line one\nline two\nline three", "EOF"},
			sep:   " ",
			err:   errMissingEOL,
		},
		{name: "no delimiter", lines: []string{"MY_OUTPUT<<", "x"}, err: errEmptyHeader},
		{name: "no name", lines: []string{"<<EOF", "x", "EOF"}, err: errEmptyHeader},
		{name: "empty name", lines: []string{"=x"}, err: errEmptyName},
		{name: "neither form", lines: []string{"MY_OUTPUT"}, err: errFormat},
		// What go-githubactions' fixed delimiter does with a value holding it.
		{
			name: "a value line equal to the delimiter",
			lines: []string{
				"purge-ids<<_GitHubActionsFileCommandDelimeter_", "_GitHubActionsFileCommandDelimeter_",
				"_GitHubActionsFileCommandDelimeter_",
			},
			err: errFormat,
		},
	}
	for _, tt := range tests {
		for _, windows := range []bool{false, true} {
			platform := map[bool]string{false: "\n", true: "\r\n"}[windows]
			sep := tt.sep
			if sep == "" {
				sep = platform
			}
			text := "\uFEFF" + strings.Join(tt.lines, sep)
			var want []Output
			for _, o := range tt.want {
				want = append(want, Output{o.Name, strings.ReplaceAll(o.Value, "\x00", platform)})
			}
			got, err := runnerParse(text, windows)
			if !errors.Is(err, tt.err) {
				t.Errorf("%s (windows %v): error %v; want %v", tt.name, windows, err, tt.err)
				continue
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (windows %v): outputs (-want +got):\n%s", tt.name, windows, diff)
			}
		}
	}
}

// TestRunnerParseLineBreaks: only a runner built for Windows ends a line
// at "\r\n"; elsewhere the "\r" belongs to the line, so a line "D\r" does
// not end a value whose delimiter is "D".
func TestRunnerParseLineBreaks(t *testing.T) {
	t.Parallel()
	text := "a<<D\nx\r\nD\r\n"
	if got, err := runnerParse(text, true); err != nil || !cmp.Equal(got, []Output{{"a", "x"}}) {
		t.Errorf("windows: %v, %v; want a=x", got, err)
	}
	if _, err := runnerParse(text, false); !errors.Is(err, errNotFound) {
		t.Errorf("linux: %v; want %v", err, errNotFound)
	}
	// A header ending in "\r\n" has the delimiter "D\r" outside Windows.
	if got, err := runnerParse("a<<D\r\nx\r\nD\r\n", false); err != nil || !cmp.Equal(got, []Output{{"a", "x\r"}}) {
		t.Errorf("linux, CRLF: %v, %v; want a=x\\r", got, err)
	}
	// "\n" alone ends a line on Windows too, and stays inside a value.
	if got, err := runnerParse("a<<D\nx\ny\nD\n", true); err != nil || !cmp.Equal(got, []Output{{"a", "x\ny"}}) {
		t.Errorf("windows, LF: %v, %v; want a=x\\ny", got, err)
	}
}
