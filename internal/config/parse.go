package config

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Bounds on user input, so that absurd input ends in a clear error rather
// than exhausting memory.
const (
	MaxLineBytes    = 64 << 10 // one line of files or files-from
	MaxFiles        = 500_000  // URLs per run
	MaxListItems    = 100_000  // tags, hosts or prefixes per run, each
	MaxTagLength    = 1024     // Cloudflare's limit for a tag in an API call
	MaxPrefixSlash  = 31       // Cloudflare's limit of path separators in a prefix
	MaxEnvironments = 50
)

func isSpaceOrControl(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// splitList splits on newlines, commas and whitespace, dropping empty fields.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}

// ParseEnvironments splits on newlines and commas only: names may hold spaces.
func ParseEnvironments(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		f = strings.TrimSpace(f)
		switch {
		case f == "" || seen[f]:
			continue
		case strings.IndexFunc(f, unicode.IsControl) >= 0 || len(f) > 255:
			return nil, inputErr(InputEnvironment, f, "is not an environment name or ref: use printable text of at most 255 characters")
		}
		seen[f] = true
		out = append(out, f)
	}
	if len(out) > MaxEnvironments {
		return nil, inputErr(InputEnvironment, "", "names %d environments; at most %d are allowed in one run", len(out), MaxEnvironments)
	}
	return out, nil
}

// parseZone tells a zone ID (32 hex characters) from a zone name.
func parseZone(v string) (zone string, isID bool, err error) {
	// A fully qualified name (example.com.) names the same zone, but
	// Cloudflare's lookup by name knows it without the final dot: drop one.
	name := strings.TrimSuffix(strings.ToLower(v), ".")
	switch {
	case v == "":
		return "", false, inputErr(InputZone, "", "is required: give the zone ID or name (example.com), or set CLOUDFLARE_ZONE_ID")
	case isHexID(v):
		return strings.ToLower(v), true, nil
	case isHostname(name) && !strings.HasSuffix(name, ".") && strings.Contains(name, "."):
		return name, false, nil
	}
	return "", false, inputErr(InputZone, v, "is neither a zone ID (32 hexadecimal characters) nor a domain name such as example.com")
}

func isHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// isHostname accepts lower-case DNS names (IDNs in their xn-- form).
func isHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// ParseBool accepts the YAML 1.2 core schema booleans, as @actions/core's
// getBooleanInput does.
func ParseBool(input, v string) (bool, error) {
	switch v {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	}
	return false, inputErr(input, v, "must be true or false")
}

func parseInt(input, v string, min, max int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, inputErr(input, v, "must be a whole number from %d to %d", min, max)
	}
	return n, nil
}

func parseDuration(input, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > 24*time.Hour {
		return 0, inputErr(input, v, "must be a positive Go duration of at most 24h, such as 90s or 5m")
	}
	return d, nil
}

// ParseTags validates cache tags and drops duplicates case-insensitively,
// as Cloudflare treats tags.
func ParseTags(s string) ([]string, error) {
	return parseList(InputTags, s, func(t string) (string, string, error) {
		if len(t) > MaxTagLength {
			return "", "", inputErr(InputTags, t, "is %d characters long; Cloudflare accepts at most %d", len(t), MaxTagLength)
		}
		for _, r := range t {
			if r < 0x21 || r > 0x7e {
				return "", "", inputErr(InputTags, t, "must be printable ASCII without spaces")
			}
		}
		return t, strings.ToLower(t), nil
	})
}

// ParseHosts validates bare host names.
func ParseHosts(s string) ([]string, error) {
	return parseList(InputHosts, s, func(h string) (string, string, error) {
		l := strings.ToLower(h)
		if i := strings.Index(l, "://"); i >= 0 {
			return "", "", inputErr(InputHosts, h, "must be a bare host name such as %s, without scheme or path", hostOf(l[i+3:]))
		}
		if !isHostname(l) {
			return "", "", inputErr(InputHosts, h, "is not a host name such as www.example.com")
		}
		return l, l, nil
	})
}

// ParsePrefixes validates prefixes: host and path, no scheme, query or fragment.
func ParsePrefixes(s string) ([]string, error) {
	return parseList(InputPrefixes, s, func(p string) (string, string, error) {
		if i := strings.Index(p, "://"); i >= 0 {
			return "", "", inputErr(InputPrefixes, p, "must not have a scheme: write it as %s", p[i+3:])
		}
		if strings.ContainsAny(p, "?#") {
			return "", "", inputErr(InputPrefixes, p, "must not have a query string or fragment: a prefix is host and path only")
		}
		if n := strings.Count(p, "/"); n > MaxPrefixSlash {
			return "", "", inputErr(InputPrefixes, p, "has %d path separators; Cloudflare accepts at most %d", n, MaxPrefixSlash)
		}
		host, path, _ := strings.Cut(p, "/")
		host = strings.ToLower(host)
		if !isHostname(host) {
			return "", "", inputErr(InputPrefixes, p, "must start with a host name, such as www.example.com/assets")
		}
		for _, r := range path {
			if r < 0x21 || r == 0x7f {
				return "", "", inputErr(InputPrefixes, p, "must not contain spaces or control characters")
			}
		}
		if path == "" {
			return host, host, nil
		}
		v := host + "/" + path
		return v, v, nil
	})
}

// parseList splits s and checks each item; check returns the item to keep
// and its deduplication key.
func parseList(input, s string, check func(string) (keep, key string, err error)) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, f := range splitList(s) {
		keep, key, err := check(f)
		if err != nil {
			return nil, err
		}
		if seen[key] {
			continue
		}
		if len(out) == MaxListItems {
			return nil, inputErr(input, "", "has more than %d items; split the purge into several runs or use purge-everything", MaxListItems)
		}
		seen[key] = true
		out = append(out, keep)
	}
	return out, nil
}

func hostOf(s string) string {
	h, _, _ := strings.Cut(s, "/")
	return h
}

// ParseFiles reads the files format, line by line:
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
func ParseFiles(r io.Reader, input string, base *url.URL, add func(File) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLineBytes)
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
			f, err := parseFileObject(text, base)
			if err != nil {
				return inputErr(input, text, "%s%v", where(), err)
			}
			files = []File{f}
		default:
			entries, err := splitEntries(text)
			if err != nil {
				return inputErr(input, text, "%s%v", where(), err)
			}
			for _, e := range entries {
				u, err := entryURL(e, base)
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
		if errors.Is(err, bufio.ErrTooLong) {
			return inputErr(input, "", "line %d is longer than %d bytes; put one URL per line", line+1, MaxLineBytes)
		}
		return inputErr(input, "", "cannot be read: %v", err)
	}
	return nil
}

func parseFileObject(text string, base *url.URL) (File, error) {
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
		u, err = joinPath(base, f.URL)
	} else {
		u, err = normalizeURL(f.URL)
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
func entryURL(e entry, base *url.URL) (string, error) {
	switch {
	case !e.quoted && hasScheme(e.text):
		return normalizeURL(e.text)
	case base == nil:
		return "", errors.New("is not a URL: give a full URL such as https://www.example.com/app.css, or set base-url to purge paths")
	}
	return joinPath(base, e.text)
}

// joinPath joins a path to base. The path is a file name, not part of a
// URL: each segment is percent-encoded (a space as %20, # as %23, % as %25,
// non-ASCII as its UTF-8 bytes), so that the URL is the one a browser
// requests for that file. "." segments are dropped, as a browser drops
// them (find prints ./css/app.css); ".." is refused.
func joinPath(base *url.URL, p string) (string, error) {
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
			return "", errors.New(`goes up with "..": give the path from base-url down`)
		}
		b.WriteByte('/')
		escapeSegment(&b, seg)
	}
	return normalizeURL(b.String())
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

// normalizeURL checks that s is an absolute http(s) URL. The scheme and
// host are lower-cased (Cloudflare compares them case-insensitively); the
// rest is kept byte for byte, since the path is case-sensitive.
func normalizeURL(s string) (string, error) {
	if strings.IndexFunc(s, isSpaceOrControl) >= 0 {
		return "", errors.New("must not contain spaces or control characters; percent-encode them (%20) in a URL")
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return "", errors.New("is not a URL: give a full URL such as https://www.example.com/app.css, or set base-url to purge paths")
	}
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return "", errors.New("must be an http or https URL")
	}
	u, err := url.Parse(scheme + "://" + rest)
	if err != nil || u.Host == "" {
		return "", errors.New("is not a valid URL")
	}
	if u.User != nil {
		return "", errors.New("must not contain credentials")
	}
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	return scheme + "://" + strings.ToLower(rest[:hostEnd]) + rest[hostEnd:], nil
}

// fileSet deduplicates files by URL and headers, keeping input order.
type fileSet struct {
	seen map[string]bool
	list []File
}

func newFileSet() *fileSet { return &fileSet{seen: map[string]bool{}} }

func (s *fileSet) add(f File) error {
	key := fileKey(f)
	if s.seen[key] {
		return nil
	}
	if len(s.list) == MaxFiles {
		return fmt.Errorf("more than %d URLs; split the purge into several runs or use prefixes, hosts or purge-everything", MaxFiles)
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
