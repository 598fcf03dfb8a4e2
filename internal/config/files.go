package config

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Bounds on files, so that absurd input ends in a clear error rather than
// exhausting memory.
const (
	maxLineBytes = 64 << 10 // one line of files or files-from
	maxFiles     = 500_000  // URLs per run
)

// parseFiles reads the files format, line by line:
//   - an empty line, or one that starts with #, is skipped;
//   - a line that starts with { is one JSON object {"url": ..., "headers": {...}};
//   - any other line holds entries separated by whitespace. An entry with a
//     scheme (https://...) is a URL, kept byte for byte but for the case of
//     its scheme and host: it must match the cache key exactly. Any other
//     entry, when base is set, is a path: a file name, whose segments are
//     percent-encoded before it is joined to base (see joinPath). A name
//     with spaces is written in double quotes, as git quotes names.
//
// Each file is passed to add, which deduplicates and bounds the list.
func parseFiles(r io.Reader, input string, base *url.URL, n naming, add func(File) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes)
	line := 0
	where := func() string {
		if input == InputFilesFrom {
			return fmt.Sprintf("line %d: ", line)
		}
		return ""
	}
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		var files []File
		switch {
		case text == "" || strings.HasPrefix(text, "#"):
			continue
		case strings.HasPrefix(text, "{"):
			f, err := parseFileObject(text, base, n)
			if err != nil {
				return inputErr(input, text, "%s%v", where(), err)
			}
			files = []File{f}
		case splitsPassword(text, unicode.IsSpace):
			return inputErr(input, "", "%s%s", where(), credentialsSplit)
		default:
			entries, err := splitEntries(text)
			if err != nil {
				return inputErr(input, text, "%s%v", where(), err)
			}
			for _, e := range entries {
				u, err := entryURL(e, base, n)
				if err != nil {
					return inputErr(input, e.text, "%s%v", where(), err)
				}
				files = append(files, File{URL: u})
			}
		}
		for _, f := range files {
			if err := add(f); err != nil {
				return inputErr(input, "", "%s%v", where(), err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		switch {
		case errors.Is(err, bufio.ErrTooLong):
			return inputErr(input, "", "line %d is longer than %d bytes; put one URL per line", line+1, maxLineBytes)
		case errors.Is(err, errTooLarge):
			return tooLarge(n)
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			// Not a problem of the input: the run was stopped.
			return fmt.Errorf("reading %s stopped at line %d: %w", n.name(input), line+1, err)
		}
		return inputErr(input, "", "cannot be read: %v", err)
	}
	return nil
}

func parseFileObject(text string, base *url.URL, n naming) (File, error) {
	var f File
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf(`is not a JSON object {"url": "...", "headers": {...}}: %v`, err)
	}
	if dec.More() {
		return File{}, errors.New(`has text after the JSON object: put one object per line`)
	}
	if f.URL == "" {
		return File{}, errors.New(`has no "url"`)
	}
	var u string
	var err error
	if base != nil && !hasScheme(f.URL) {
		// A path, as on a line of its own; JSON has its own escapes, so
		// there is no git quoting to undo.
		u, err = joinPath(base, f.URL, n)
	} else {
		u, err = normalizeURL(f.URL, n)
	}
	if err != nil {
		return File{}, fmt.Errorf("url %q %v", f.URL, err)
	}
	f.URL = u
	for k, v := range f.Headers {
		if k == "" || strings.IndexFunc(k, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == ':' }) >= 0 {
			return File{}, fmt.Errorf("header name %q is not a valid HTTP header name", k)
		}
		if strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) }) >= 0 {
			return File{}, fmt.Errorf("header %q has control characters in its value", k)
		}
	}
	if len(f.Headers) == 0 {
		f.Headers = nil
	}
	return f, nil
}

// hasScheme tells whether s starts with a URL scheme and "://", as
// https://www.example.com/ does. A file path does not: "://" cannot follow
// a valid scheme in a path that git or find prints.
func hasScheme(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	if !ok || scheme == "" {
		return false
	}
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// entry is one whitespace-separated entry of a files line.
type entry struct {
	text   string
	quoted bool // written in double quotes: a file name, never a URL
}

// splitEntries splits a line on whitespace. An entry in double quotes is
// a name as git quotes it: git diff --name-only quotes names with bytes
// above 0x7f (unless core.quotePath is false), control characters, " or \,
// using C escapes ("caf\303\251.css"), which strconv.Unquote reads; a
// name with spaces is written so too ("my file.css").
func splitEntries(line string) ([]entry, error) {
	var out []entry
	for {
		line = strings.TrimLeftFunc(line, unicode.IsSpace)
		if line == "" {
			return out, nil
		}
		if line[0] != '"' {
			end := strings.IndexFunc(line, unicode.IsSpace)
			if end < 0 {
				end = len(line)
			}
			out = append(out, entry{text: line[:end]})
			line = line[end:]
			continue
		}
		end := closingQuote(line)
		if end < 0 {
			return nil, errors.New(`has a double quote that is not closed: a quoted name ends with "`)
		}
		name, err := strconv.Unquote(line[:end+1])
		if err != nil {
			return nil, errors.New(`has a quoted name that is not quoted as git quotes it (C escapes such as \303\251 or \"); check the quotes`)
		}
		if rest := line[end+1:]; rest != "" && !unicode.IsSpace(rune(rest[0])) {
			return nil, errors.New("has text right after a quoted name: separate entries with whitespace")
		}
		if name == "" {
			return nil, errors.New(`has an empty quoted name ""`)
		}
		out = append(out, entry{text: name, quoted: true})
		line = line[end+1:]
	}
}

// closingQuote is the index of the quote that closes the one at s[0], or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// entryURL turns an entry into the URL to purge.
func entryURL(e entry, base *url.URL, n naming) (string, error) {
	switch {
	case !e.quoted && hasScheme(e.text):
		return normalizeURL(e.text, n)
	case base == nil:
		return "", notURL(n)
	}
	return joinPath(base, e.text, n)
}

// joinPath joins a path to base. The path is a file name, not part of a
// URL: each segment is percent-encoded (a space as %20, # as %23, % as %25,
// non-ASCII as its UTF-8 bytes), so that the URL is the one a browser
// requests for that file. "." segments are dropped, as a browser drops
// them (find prints ./css/app.css); ".." is refused.
func joinPath(base *url.URL, p string, n naming) (string, error) {
	var b strings.Builder
	b.WriteString(strings.TrimRight(base.String(), "/"))
	segs := strings.Split(strings.TrimLeft(p, "/"), "/")
	for i, seg := range segs {
		switch seg {
		case ".":
			if i == len(segs)-1 {
				b.WriteByte('/') // "css/." is the directory css/
			}
			continue
		case "..":
			return "", fmt.Errorf(`goes up with "..": give the path from %s down`, n.name(InputBaseURL))
		}
		b.WriteByte('/')
		escapeSegment(&b, seg)
	}
	// Not noted as a change: the path was given, not this URL.
	u, err := CacheKeyURL(b.String())
	if err != nil {
		return "", err
	}
	return u, nil
}

// escapeSegment writes seg percent-encoded: every byte but RFC 3986's
// pchar (unreserved, sub-delims, ":" and "@"). url.PathEscape would encode
// sub-delims such as ( ) ! ' * , ; too, which browsers send as they are:
// the URL would not match the cache key.
func escapeSegment(b *strings.Builder, seg string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

// normalizeURL is CacheKeyURL, its problems named for the input, and
// notes a URL that it changed, for the log.
func normalizeURL(s string, n naming) (string, error) {
	u, err := CacheKeyURL(s)
	if errors.Is(err, errNotAbsolute) {
		return "", notURL(n)
	}
	if err == nil && !strings.EqualFold(u, s) {
		n.rw.note(s, u) // only the case of the scheme and host is not worth a line
	}
	return u, err
}

// notURL is the problem of an entry that is neither a URL nor, for want
// of base-url, a path.
func notURL(n naming) error {
	return fmt.Errorf("is not a URL: give a full URL such as https://www.example.com/app.css, or set %s to purge paths", n.name(InputBaseURL))
}

// credentialsInURL is the problem of a URL with user information; the
// message shows the URL with it hidden (see hideUserinfo).
const credentialsInURL = "must not contain credentials (user:password@): give the URL without them"

// credentialsSplit is the problem of a line where a URL's password holds a
// separator: the line is not quoted, since no entry of it shows where the
// password ends.
const credentialsSplit = "holds a URL with credentials (user:password@) whose password has a space or a comma (value hidden): give the URL without them"

// fileSet deduplicates files by URL and headers, keeping input order.
type fileSet struct {
	seen map[string]bool
	list []File
	n    naming
}

func newFileSet(n naming) *fileSet { return &fileSet{seen: map[string]bool{}, n: n} }

func (s *fileSet) add(f File) error {
	key := fileKey(f)
	if s.seen[key] {
		return nil
	}
	if len(s.list) == maxFiles {
		return fmt.Errorf("more than %d URLs; split the purge into several runs or use %s", maxFiles, s.n.list(InputPrefixes, InputHosts, InputPurgeEverything))
	}
	s.seen[key] = true
	s.list = append(s.list, f)
	return nil
}

func fileKey(f File) string {
	if len(f.Headers) == 0 {
		return f.URL
	}
	names := make([]string, 0, len(f.Headers))
	for k := range f.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString(f.URL)
	for _, k := range names {
		fmt.Fprintf(&b, "\x00%s\x00%s", strings.ToLower(k), f.Headers[k])
	}
	return b.String()
}
