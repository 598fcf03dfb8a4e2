package config

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// maxFilesFromBytes bounds what files-from reads, so that an endless
// standard input ends in an error: far more than maxFiles URLs take.
const maxFilesFromBytes = 256 << 20

var errTooLarge = errors.New("too large")

// readFilesFrom reads files-from. In the action it is a regular file
// inside the workspace (src.Dir): a path that leads outside it, through
// ".." or a symbolic link, is refused before anything is read, since a
// file above the workspace can hold the runner's secrets and its first
// bad line would be quoted. In the CLI it is any regular file, or "-" for
// standard input. A named pipe or a device is never opened: reading one
// could block the run forever. Reading stops when ctx ends.
func readFilesFrom(ctx context.Context, src Source, n naming, path string, base *url.URL, add func(File) error) error {
	var r io.Reader
	if path == "-" {
		if src.Stdin == nil {
			if n.cli {
				return inputErr(InputFilesFrom, path, "standard input is not available here; give a file path")
			}
			return inputErr(InputFilesFrom, path, "standard input is only read by the CLI; give a file path relative to the workspace")
		}
		stdin, stop := readUntilDone(ctx, src.Stdin)
		defer stop()
		r = stdin
	} else {
		f, err := openFilesFrom(src, n, path)
		if err != nil {
			return err
		}
		defer f.Close()
		r = &ctxReader{ctx: ctx, r: f}
	}
	return readFiles(r, maxFilesFromBytes, n, base, add)
}

// readFiles parses files-from's text, read from r up to limit bytes.
func readFiles(r io.Reader, limit int64, n naming, base *url.URL, add func(File) error) error {
	bounded := &boundedReader{r: r, left: limit}
	br := bufio.NewReader(bounded)
	// A UTF-8 byte order mark, as some Windows editors write, is not part
	// of the first URL.
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		br.Discard(3)
	}
	err := parseFiles(br, InputFilesFrom, base, n, add)
	if err != nil && bounded.left <= 0 {
		// The last line read was cut short by the bound: its problem is
		// the bound's.
		return tooLarge(n)
	}
	return err
}

func tooLarge(n naming) error {
	return inputErr(InputFilesFrom, "", "is larger than %d MiB; split the purge into several runs or use %s",
		maxFilesFromBytes>>20, n.list(InputPrefixes, InputHosts, InputPurgeEverything))
}

// openFilesFrom opens files-from's path after checking what it is.
func openFilesFrom(src Source, n naming, path string) (*os.File, error) {
	dir := src.Dir
	if dir == "" {
		dir = "."
	}
	full := path
	if !filepath.IsAbs(full) {
		full = filepath.Join(dir, path)
	}
	hint := ""
	if !n.cli {
		hint = "; give a path relative to the workspace"
	}
	outside := func(err error) error {
		return inputErr(InputFilesFrom, path, "%v: give the path of a file in the workspace (GITHUB_WORKSPACE), such as one an earlier step wrote", err)
	}
	if !n.cli {
		// First by the path's words alone: a path that leaves the
		// workspace gets the same answer whether or not it exists there.
		if err := lexicallyInside(dir, full); err != nil {
			return nil, outside(err)
		}
	}
	target, err := filepath.EvalSymlinks(full)
	if err != nil {
		return nil, inputErr(InputFilesFrom, path, "cannot be read (%v)%s", unwrapPathError(err), hint)
	}
	if !n.cli {
		if err := inWorkspace(dir, target); err != nil {
			return nil, outside(err)
		}
	}
	info, err := os.Stat(target)
	if err != nil {
		return nil, inputErr(InputFilesFrom, path, "cannot be read (%v)%s", unwrapPathError(err), hint)
	}
	if err := regular(info, n); err != nil {
		return nil, inputErr(InputFilesFrom, path, "%v", err)
	}
	// O_NONBLOCK: should the path have become a named pipe since the
	// check, opening it does not wait for a writer.
	f, err := os.OpenFile(target, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, inputErr(InputFilesFrom, path, "cannot be read (%v)%s", unwrapPathError(err), hint)
	}
	if opened, err := f.Stat(); err != nil || !os.SameFile(info, opened) {
		f.Close()
		return nil, inputErr(InputFilesFrom, path, "changed while it was being opened; try again")
	}
	return f, nil
}

// lexicallyInside tells whether path, read as written, stays inside dir.
func lexicallyInside(dir, path string) error {
	d, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	p, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(d, p); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return errors.New("is outside the workspace")
	}
	return nil
}

// inWorkspace tells whether target (symbolic links resolved) is inside dir.
func inWorkspace(dir, target string) error {
	root, err := filepath.EvalSymlinks(dir)
	if err == nil {
		root, err = filepath.Abs(root)
	}
	if err != nil {
		return fmt.Errorf("the workspace %q cannot be read (%v)", dir, unwrapPathError(err))
	}
	target, err = filepath.Abs(target)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(root, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return errors.New("is outside the workspace")
	}
	return nil
}

// regular refuses anything but a regular file.
func regular(info fs.FileInfo, n naming) error {
	m := info.Mode()
	var what string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	default:
		what = "not a regular file"
	}
	if n.cli {
		return fmt.Errorf("is %s: give a regular file, or %s - and pipe the list in (cmd | cloudflare-purge %s -)", what, n.name(InputFilesFrom), n.name(InputFilesFrom))
	}
	return fmt.Errorf("is %s: give a regular file in the workspace", what)
}

// unwrapPathError keeps only the reason, since the path is already quoted.
// The common reasons read the same on every system: Windows would say
// "The system cannot find the file specified.", or "path not found" for a
// missing directory.
func unwrapPathError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errNoSuchFile
	case errors.Is(err, fs.ErrPermission):
		return errPermission
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var (
	errNoSuchFile = errors.New("no such file or directory")
	errPermission = errors.New("permission denied")
)

// ctxReader stops reading a file once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// readUntilDone reads r (standard input, which may never end) in a
// goroutine, so that reading it returns when ctx ends. stop ends the
// goroutine once its current read returns.
func readUntilDone(ctx context.Context, r io.Reader) (io.Reader, func()) {
	type chunk struct {
		b   []byte
		err error
	}
	chunks := make(chan chunk)
	done := make(chan struct{})
	go func() {
		for {
			b := make([]byte, 32<<10)
			n, err := r.Read(b)
			select {
			case chunks <- chunk{b[:n], err}:
			case <-done:
				return
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var pending []byte
	var last error
	read := readerFunc(func(p []byte) (int, error) {
		for len(pending) == 0 {
			if last != nil {
				return 0, last
			}
			select {
			case c := <-chunks:
				pending, last = c.b, c.err
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		n := copy(p, pending)
		pending = pending[n:]
		return n, nil
	})
	return read, func() { close(done) }
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// boundedReader fails with errTooLarge past left bytes.
type boundedReader struct {
	r    io.Reader
	left int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
