// Package ghaout writes step outputs to the file GitHub Actions names in
// GITHUB_OUTPUT, in a form no value can break.
//
// Each output is written as a heredoc, `name<<DELIMITER`, the value, then
// a line holding only DELIMITER. The runner ends the value at the first line
// equal to the delimiter, so a fixed delimiter (go-githubactions uses
// `_GitHubActionsFileCommandDelimeter_` for every output) lets a value that
// holds that line end its output early, and the rest of the value then reads
// as malformed lines: the runner refuses the whole file and every output of
// the step is lost. Here, as in GitHub's own toolkit (@actions/core), each
// output gets a fresh random delimiter, checked to occur in neither the name
// nor the value.
//
// The rules of the runner's parser (actions/runner, EnvFileKeyValuePairs in
// src/Runner.Worker/FileCommandManager.cs) that the format follows:
//   - The file is read whole as UTF-8 text and split at "\n" (a runner
//     built for Windows also splits at "\r\n"); empty lines are skipped.
//   - A line holding "=" before any "<<" is NAME=VALUE; otherwise a line
//     holding "<<" is NAME<<DELIMITER, the name and the delimiter both
//     non-empty, the delimiter being everything after the first "<<".
//   - The value is every line up to the first line equal to the delimiter
//     (compared byte for byte), without the line break before it. No such
//     line: the file is refused.
package ghaout

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strings"
	"unicode/utf8"
)

// Output is one step output.
type Output struct {
	Name  string
	Value string
}

// ErrInvalid is wrapped by the errors for an output that cannot be written.
var ErrInvalid = errors.New("invalid output")

// validName is the form of an output name that a workflow can read as
// steps.<id>.outputs.<name> (the form action.yml requires of output ids).
// It also keeps out of the name everything the runner's parser gives a
// meaning: "=", "<<", line breaks.
var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// eol is the line break written: the one GitHub's toolkit writes (os.EOL).
// A runner built for Windows ends a line at "\r\n", so a value ending in
// "\r" would lose it there if only "\n" followed it.
var eol = func() string {
	if runtime.GOOS == "windows" {
		return "\r\n"
	}
	return "\n"
}()

// randomDelimiter is "ghadelimiter_" and a random version 4 UUID, as
// @actions/core makes its delimiters.
func randomDelimiter() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random delimiter: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return "ghadelimiter_" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// delimiterTries bounds the draws of a delimiter that occurs in neither the
// name nor the value. A random one collides only with a value built to hold
// it, which a value cannot be before the delimiter is drawn; a second
// collision means the source of randomness is broken.
const delimiterTries = 3

// encode returns the record for one output, with line break nl and a
// delimiter from draw (randomDelimiter; the tests give others).
func encode(name, value, nl string, draw func() (string, error)) (string, error) {
	if !validName.MatchString(name) {
		return "", fmt.Errorf("output name %q: %w: use letters, digits, _ and - (starting with a letter or _)", name, ErrInvalid)
	}
	if !utf8.ValidString(value) {
		// The runner reads the file as UTF-8 and would turn such bytes into
		// U+FFFD: the value would not arrive as written.
		return "", fmt.Errorf("output %s: %w: the value is not valid UTF-8", name, ErrInvalid)
	}
	for range delimiterTries {
		d, err := draw()
		if err != nil {
			return "", fmt.Errorf("output %s: %w", name, err)
		}
		// A delimiter the runner would not read back whole is drawn again
		// too (randomDelimiter never makes one).
		if d == "" || strings.Contains(name, d) || strings.Contains(value, d) ||
			strings.ContainsAny(d, "\r\n") || strings.Contains(d, "<<") || !utf8.ValidString(d) {
			continue
		}
		return name + "<<" + d + nl + value + nl + d + nl, nil
	}
	return "", fmt.Errorf("output %s: %w: no delimiter found that the value does not contain in %d tries", name, ErrInvalid, delimiterTries)
}

// Write writes one output to w (the GITHUB_OUTPUT file, opened for
// appending) in one call of w.Write. Whatever w held before must end with a
// line break; WriteFile sees to that.
func Write(w io.Writer, name, value string) error {
	rec, err := encode(name, value, eol, randomDelimiter)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, rec); err != nil {
		return fmt.Errorf("write output %s: %w", name, err)
	}
	return nil
}

// WriteFile appends outputs to the file at path (GITHUB_OUTPUT), creating
// it if need be. An output that cannot be written (an invalid name, a value
// that is not UTF-8) is left out and named in the error, and the others are
// written all the same: one bad value must not cost the step its other
// outputs. If the file does not end with a line break (a line another tool
// left unfinished), one is added first, so that the first name starts a
// line.
func WriteFile(path string, outputs []Output) error {
	var b strings.Builder
	var errs []error
	for _, o := range outputs {
		rec, err := encode(o.Name, o.Value, eol, randomDelimiter)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		b.WriteString(rec)
	}
	if b.Len() > 0 {
		if err := appendFile(path, b.String()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// appendFile appends text to the file at path in one write, after a line
// break if the file does not end with one.
func appendFile(path, text string) (err error) {
	// Read access is only for the last byte: a file we may only write is
	// written without the check.
	readable := true
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		readable = false
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	}
	if err != nil {
		return fmt.Errorf("open the outputs file (GITHUB_OUTPUT): %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close the outputs file %s: %w", path, cerr)
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("outputs file %s: %w", path, err)
	}
	if readable && fi.Mode().IsRegular() && fi.Size() > 0 {
		var last [1]byte
		if _, err := f.ReadAt(last[:], fi.Size()-1); err != nil {
			return fmt.Errorf("read the end of the outputs file %s: %w", path, err)
		}
		if last[0] != '\n' {
			text = eol + text
		}
	}
	if _, err := f.WriteString(text); err != nil {
		return fmt.Errorf("write the outputs file %s: %w", path, err)
	}
	return nil
}
