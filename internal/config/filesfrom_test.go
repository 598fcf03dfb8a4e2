package config

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadFilesFrom(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "changed.txt"), []byte("css/a.css\r\n/b.js\n\n# done\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(t.TempDir(), "abs.txt")
	if err := os.WriteFile(abs, []byte("https://example.com/abs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := map[string]string{InputAPIToken: token, InputZone: "example.com", InputBaseURL: "https://example.com", InputFiles: "/b.js\n/c.js"}

	// Relative to Dir (the workspace), merged with files and deduplicated.
	src := source(in, nil)
	src.Dir = dir
	in[InputFilesFrom] = "changed.txt"
	c, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []File{{URL: "https://example.com/b.js"}, {URL: "https://example.com/c.js"}, {URL: "https://example.com/css/a.css"}}
	if diff := cmp.Diff(want, c.Items.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}

	// An absolute path is read as is by the CLI; the action reads one only
	// inside the workspace.
	in[InputFilesFrom] = abs
	cli := src
	cli.CLI = true
	if c, err = Load(cli); err != nil || len(c.Items.Files) != 3 || c.Items.Files[2].URL != "https://example.com/abs" {
		t.Errorf("absolute files-from: %v %+v", err, c)
	}
	if _, err = Load(src); err == nil || !strings.Contains(err.Error(), "is outside the workspace") {
		t.Errorf("absolute files-from outside the workspace, in the action: %v", err)
	}
	in[InputFilesFrom] = filepath.Join(dir, "changed.txt")
	if c, err = Load(src); err != nil || len(c.Items.Files) != 3 {
		t.Errorf("absolute files-from inside the workspace: %v %+v", err, c)
	}

	// "-" reads standard input, which only the CLI has.
	in[InputFilesFrom] = "-"
	if _, err = Load(src); err == nil || !strings.Contains(err.Error(), "standard input is only read by the CLI") {
		t.Errorf("files-from - without stdin: %v", err)
	}
	src.Stdin = strings.NewReader("https://example.com/stdin\n")
	if c, err = Load(src); err != nil || c.Items.Files[len(c.Items.Files)-1].URL != "https://example.com/stdin" {
		t.Errorf("files-from - with stdin: %v %+v", err, c)
	}

	// Errors name the line.
	if err := os.WriteFile(filepath.Join(dir, "bad.txt"), []byte("https://example.com/ok\n\nftp://example.com/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src.Stdin = nil
	in[InputFilesFrom] = "bad.txt"
	if _, err = Load(src); err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), `"ftp://example.com/x"`) {
		t.Errorf("bad line: %v", err)
	}
}

// files-from in the action is a regular file inside the workspace: a path
// that leaves it (.., an absolute path, a symbolic link) is refused before
// it is read, and its lines are never quoted. The CLI reads any regular
// file it is given.
func TestFilesFromWorkspace(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	ws := filepath.Join(top, "workspace")
	write := func(path, content string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(ws, name)); err != nil {
			t.Fatal(err)
		}
	}
	// A bad line, which an error would quote.
	const secretLine = "RUNNER-SECRET=hunter2-not-a-url"
	outside := write(filepath.Join(top, "secrets.txt"), secretLine+"\n")
	write(filepath.Join(ws, "sub", "list.txt"), "https://example.com/in\n")
	link(outside, "escape.txt")
	link(top, "up")
	link("sub/list.txt", "inside-link.txt")

	tests := []struct {
		path   string
		action string // the problem in the action; "" reads it
		cli    string // the problem in the CLI
	}{
		{path: "sub/list.txt"},
		{path: "inside-link.txt"},
		{path: "sub/../sub/list.txt"},
		{path: filepath.Join(ws, "sub", "list.txt")},
		{path: "../secrets.txt", action: "is outside the workspace", cli: "is not a URL"},
		{path: outside, action: "is outside the workspace", cli: "is not a URL"},
		{path: "escape.txt", action: "is outside the workspace", cli: "is not a URL"},
		{path: "up/secrets.txt", action: "is outside the workspace", cli: "is not a URL"},
		{path: "sub", action: "is a directory", cli: "is a directory"},
		{path: "missing.txt", action: "cannot be read (no such file or directory); give a path relative to the workspace", cli: "cannot be read (no such file or directory)"},
		// Outside the workspace, whether the file exists is not told.
		{path: "../missing.txt", action: "is outside the workspace", cli: "cannot be read (no such file or directory)"},
		{path: filepath.Join(top, "nowhere", "x"), action: "is outside the workspace", cli: "cannot be read (no such file or directory)"},
	}
	for _, tt := range tests {
		for _, cli := range []bool{false, true} {
			want := tt.action
			if cli {
				want = tt.cli
			}
			src := source(map[string]string{InputAPIToken: token, InputZone: "example.com", InputFilesFrom: tt.path}, nil)
			src.Dir, src.CLI = ws, cli
			_, err := Load(src)
			switch {
			case want == "" && err != nil:
				t.Errorf("%s (CLI %v): %v", tt.path, cli, err)
			case want != "" && (!isInput(err) || !strings.Contains(err.Error(), want)):
				t.Errorf("%s (CLI %v): error %v, want one with %q", tt.path, cli, err, want)
			case !cli && err != nil && strings.Contains(err.Error(), "hunter2"):
				t.Errorf("%s: the action quotes a line of a file outside the workspace: %v", tt.path, err)
			case cli && err != nil && strings.Contains(err.Error(), "workspace"):
				t.Errorf("%s: the CLI talks of a workspace: %v", tt.path, err)
			}
		}
	}
}

// Reading standard input stops when the context ends, with the context's
// error (not an input error: the run was stopped, not refused).
func TestFilesFromStdinCancelled(t *testing.T) {
	t.Parallel()
	r, w := io.Pipe()
	defer w.Close()
	src := source(map[string]string{InputAPIToken: token, InputZone: "example.com", InputFilesFrom: "-"}, nil)
	src.Stdin, src.CLI = r, true
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := LoadContext(ctx, src)
		errc <- err
	}()
	if _, err := io.WriteString(w, "https://example.com/a\n"); err != nil { // read, then stdin stays open
		t.Fatal(err)
	}
	cancel()
	err := <-errc
	if !errors.Is(err, context.Canceled) || isInput(err) {
		t.Errorf("error %v, want context.Canceled and no input error", err)
	}
}

// A UTF-8 byte order mark at the start of files-from is skipped.
func TestFilesFromBOM(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bom.txt"), []byte("\ufeffhttps://example.com/a\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := map[string]string{InputAPIToken: token, InputZone: "example.com", InputFilesFrom: "bom.txt"}
	src := source(in, nil)
	src.Dir = dir
	c, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	in[InputFilesFrom] = "-"
	src.Stdin = strings.NewReader("\ufeffhttps://example.com/b\n")
	c2, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]File{{URL: "https://example.com/a"}, {URL: "https://example.com/b"}}, append(c.Items.Files, c2.Items.Files...)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

// files-from is read up to a bound: an endless standard input ends in an
// error, not an endless run.
func TestFilesFromBound(t *testing.T) {
	t.Parallel()
	br := &boundedReader{r: strings.NewReader(strings.Repeat("\n", 100)), left: 10}
	b, err := io.ReadAll(br)
	if len(b) != 10 || !errors.Is(err, errTooLarge) {
		t.Errorf("read %d bytes, %v; want 10 and errTooLarge", len(b), err)
	}
	for _, text := range []string{"https://example.com/a\n", "\n\n\n\n\n\n\n", "https://example.com/a"} {
		err = readFiles(strings.NewReader(text), 5, naming{}, nil, newFileSet(naming{}).add)
		if !isInput(err) || !strings.Contains(err.Error(), "is larger than 256 MiB") {
			t.Errorf("%q: error %v", text, err)
		}
	}
	if err := readFiles(strings.NewReader("https://example.com/a\n"), 100, naming{}, nil, newFileSet(naming{}).add); err != nil {
		t.Errorf("under the bound: %v", err)
	}
}
