// Package redact hides secrets in everything the program prints or writes.
//
// The runner masks the secrets it was told about in its log, but only as
// they are: not in the outputs file, not in another case, not escaped.
// A Redactor finds every secret in the forms it may take on its way out:
//
//   - as is, in any ASCII case (host names are lower-cased; an API may
//     echo a header in another case);
//   - with any of its bytes escaped: percent-encoded (%40, %2a or %2A, as
//     url.QueryEscape, url.PathEscape and workflow commands write them,
//     doubly encoded as %2540 too, and + for a space), JSON's \u0040 and
//     \/ escapes, and the backslash escapes of Markdown (\- \. \@);
//   - base64-encoded, in the standard and the URL alphabet, padded or not,
//     at any alignment (see base64Cores).
//
// A part of a secret is hidden too: any FragmentLength characters of it in
// a row (ASCII case folded, escapes read), so that a message cut short, or
// a secret a server split in two or broke with characters that are
// dropped on the way, shows at most a few characters of it. An email
// address is hidden whole only: its domain is public.
//
// Secrets shorter than MinLength are ignored: they would mangle ordinary
// text, and config refuses credentials that short.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf16"
)

// MinLength is the length under which a secret is not redacted.
const MinLength = 5

// Mask replaces every secret found.
const Mask = "***"

// FragmentLength is how many characters of a secret in a row are hidden
// wherever they appear: fewer do not tell a secret from ordinary text.
const FragmentLength = 12

// Redactor hides a set of secrets, which Add may grow (a run learns some
// as it goes). Its methods are safe for concurrent use; the nil *Redactor
// hides nothing.
type Redactor struct {
	mu      sync.Mutex // serialises Add
	secrets []string
	set     atomic.Pointer[patterns]
}

// patterns is the compiled form of a set of secrets.
type patterns struct {
	pats []pattern
	// first lists, for each byte, the patterns that a match starting with
	// it may be of; an escape's first byte lists them all.
	first [256][]int
	// pairs marks the first two bytes, as written, of every pattern: a
	// quick test that skips most positions of ordinary text, which a
	// secret's many parts would otherwise each look at.
	pairs [1 << 16 / 64]uint64
}

func (r *patterns) setPair(a, b byte) {
	k := uint16(a)<<8 | uint16(b)
	r.pairs[k/64] |= 1 << (k % 64)
}

// mayStart tells whether a pattern may match s at i: false only when the
// bytes there, read as they are and not as an escape, start none.
func (r *patterns) mayStart(s string, i int) bool {
	if len(r.first[s[i]]) == 0 {
		return false
	}
	if i+1 >= len(s) {
		return isEscapeStart(s[i]) // no pattern is one byte long
	}
	a, b := s[i], s[i+1]
	if isEscapeStart(a) || isEscapeStart(b) {
		return true
	}
	k := uint16(a)<<8 | uint16(b)
	return r.pairs[k/64]&(1<<(k%64)) != 0
}

func isEscapeStart(c byte) bool { return c == '%' || c == '\\' || c == '+' }

// pattern is one form of a secret, matched byte by byte; each byte may be
// written escaped (see escapes).
type pattern struct {
	b    string // ASCII lower-cased when fold
	fold bool   // ASCII case-insensitive: the secret itself; base64 is not
	// min is the fewest bytes of b, from its start, that make a match;
	// 0: all of them.
	min int
}

// New returns a Redactor for secrets; empty and short ones are skipped.
func New(secrets ...string) *Redactor {
	r := &Redactor{secrets: slices.Clone(secrets)}
	r.set.Store(compile(r.secrets))
	return r
}

// Add hides more secrets from now on.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, secrets...)
	r.set.Store(compile(r.secrets))
}

func compile(secrets []string) *patterns {
	r := &patterns{}
	seen := map[pattern]bool{}
	add := func(p pattern) {
		if p.b == "" || seen[p] {
			return
		}
		seen[p] = true
		r.pats = append(r.pats, p)
	}
	for _, s := range secrets {
		if len(s) < MinLength {
			continue
		}
		add(pattern{b: lowerASCII(s), fold: true})
		// Its parts: every suffix of it, matched for FragmentLength bytes
		// or more, finds every run of that many bytes of the secret. Not
		// an email address's: its domain is public, and host names and
		// URLs hold it.
		for k := 0; k+FragmentLength <= len(s) && !strings.Contains(s, "@"); k++ {
			add(pattern{b: lowerASCII(s[k:]), fold: true, min: FragmentLength})
		}
		for _, j := range jsonForms(s) {
			add(pattern{b: lowerASCII(j), fold: true})
		}
		for _, c := range base64Cores(s) {
			add(pattern{b: c})
		}
		// Hexadecimal, in either case (the pattern folds case).
		add(pattern{b: hex.EncodeToString([]byte(s)), fold: true})
	}
	// Longest first: of two secrets that match at one place, the longer is
	// hidden whole.
	slices.SortStableFunc(r.pats, func(a, b pattern) int { return len(b.b) - len(a.b) })
	for k, p := range r.pats {
		starts := []byte{p.b[0], '%', '\\'}
		if p.fold {
			starts = append(starts, upperASCII(p.b[0]))
		}
		if p.b[0] == ' ' {
			starts = append(starts, '+')
		}
		for _, c := range starts {
			if !slices.Contains(r.first[c], k) {
				r.first[c] = append(r.first[c], k)
			}
		}
		if len(p.b) > 1 {
			for _, a := range cases(p.b[0], p.fold) {
				for _, b := range cases(p.b[1], p.fold) {
					r.setPair(a, b)
				}
			}
		}
	}
	return r
}

// cases is c, and its other ASCII case when fold.
func cases(c byte, fold bool) []byte {
	if u := upperASCII(c); fold && u != c {
		return []byte{c, u}
	}
	return []byte{c}
}

// jsonForms returns the JSON string forms of s that byte escapes do not
// cover: its non-ASCII characters as Go's encoder writes them (invalid
// UTF-8 as \ufffd, U+2028 and U+2029 escaped) and as ASCII-only encoders
// write them (\u00e9, surrogate pairs above U+FFFF).
func jsonForms(s string) []string {
	if isASCII(s) {
		return nil
	}
	b, _ := json.Marshal(s)
	goForm := string(b[1 : len(b)-1])
	var ascii strings.Builder
	for _, r := range s { // invalid bytes read as U+FFFD, as encoders write them
		switch {
		case r < 0x80:
			ascii.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&ascii, "\\u%04x\\u%04x", r1, r2)
		default:
			fmt.Fprintf(&ascii, "\\u%04x", r)
		}
	}
	return []string{goForm, ascii.String()}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// base64Cores returns, for each of the three alignments of s in a base64
// stream and each alphabet, the characters that s alone determines. The
// encoding of s depends on the bytes around it: its first and last
// characters mix its bits with its neighbours', so only the characters in
// between (the core) are the same wherever s appears; they are what is
// hidden. A core shorter than 6 characters would hide ordinary words.
func base64Cores(s string) []string {
	var out []string
	for k := range 3 { // s starts at byte k of a 3-byte group
		src := append(make([]byte, k, k+len(s)), s...)
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			e := enc.EncodeToString(src)
			// Character j holds bits [6j, 6j+6); s holds [8k, 8(k+len)).
			from, to := (8*k+5)/6, 8*(k+len(s))/6
			if to-from >= 6 {
				out = append(out, e[from:to])
			}
		}
	}
	return out
}

// String returns s with every secret replaced by Mask.
func (red *Redactor) String(s string) string {
	if red == nil {
		return s
	}
	r := red.set.Load()
	if len(r.pats) == 0 {
		return s
	}
	var b strings.Builder
	done := 0
	for i := 0; i < len(s); {
		if !r.mayStart(s, i) {
			i++
			continue
		}
		end := r.matchAt(s, i)
		if end < 0 {
			i++
			continue
		}
		b.Grow(len(s) - done)
		b.WriteString(s[done:i])
		b.WriteString(Mask)
		done, i = end, end
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// Contains tells whether s holds one of the secrets, in any form.
func (red *Redactor) Contains(s string) bool {
	if red == nil {
		return false
	}
	r := red.set.Load()
	for i := range len(s) {
		if r.mayStart(s, i) && r.matchAt(s, i) >= 0 {
			return true
		}
	}
	return false
}

// matchAt returns the end of the longest pattern matching s at i, or -1.
func (r *patterns) matchAt(s string, i int) int {
	best := -1
	for _, k := range r.first[s[i]] {
		if e := r.pats[k].match(s, i); e > best {
			best = e
		}
	}
	return best
}

// match returns the end of the longest match of the pattern in s at i, or
// -1. A byte may be written as is or escaped, and "%25" is either "%25"
// or an escaped "%": every reading is followed at once (the positions
// reached after each byte of the pattern form a set), so that a secret of
// backslashes costs no more than any other.
func (p *pattern) match(s string, i int) int {
	// Up to the first byte that may start an escape, the only reading is
	// the bytes as they are.
	j := 0
	for ; j < len(p.b); j++ {
		if i+j >= len(s) {
			return p.partial(i, j)
		}
		c := s[i+j]
		if c == '%' || c == '\\' || c == '+' {
			break
		}
		if !p.eq(c, p.b[j]) {
			return p.partial(i, j)
		}
	}
	if j == len(p.b) {
		return i + j
	}
	if e := p.matchEscaped(s, i+j, j); e >= 0 {
		return e
	}
	return p.partial(i, j)
}

// partial is the end of a match of the pattern's first j bytes, read as
// they are, from s[i]: a match when the pattern takes that few; else -1.
func (p *pattern) partial(i, j int) int {
	if p.min > 0 && j >= p.min {
		return i + j
	}
	return -1
}

// matchEscaped is match from s[i] and the pattern's byte j on, where s
// may hold escapes.
func (p *pattern) matchEscaped(s string, i, j int) int {
	var bufA, bufB [8]int
	cur, next := append(bufA[:0], i), bufB[:0]
	var ebuf [4]escape
	best := -1 // the end of the longest match of at least min bytes
	for ; j < len(p.b); j++ {
		if p.min > 0 && j >= p.min {
			best = max(best, slices.Max(cur))
		}
		want := p.b[j]
		next = next[:0]
		for _, at := range cur {
			if at >= len(s) {
				continue
			}
			if p.eq(s[at], want) {
				next = addPos(next, at+1)
			}
			for _, esc := range escapes(s[at:], ebuf[:0]) {
				if p.eq(esc.b, want) {
					next = addPos(next, at+esc.n)
				}
			}
		}
		if len(next) == 0 {
			return best
		}
		cur, next = next, cur
	}
	return slices.Max(cur)
}

func addPos(set []int, pos int) []int {
	if slices.Contains(set, pos) {
		return set
	}
	return append(set, pos)
}

func (p *pattern) eq(c, want byte) bool {
	if p.fold {
		c = lowerByte(c)
	}
	return c == want
}

// escape is one reading of an escape sequence: the byte b, written in n bytes.
type escape struct {
	b byte
	n int
}

// escapes appends to out the bytes that an escape sequence at the start
// of s may stand for.
func escapes(s string, out []escape) []escape {
	switch s[0] {
	case '+': // url.QueryEscape's space
		out = append(out, escape{' ', 1})
	case '%':
		if len(s) >= 3 && isHex(s[1]) && isHex(s[2]) {
			out = append(out, escape{unhex(s[1])<<4 | unhex(s[2]), 3})
		}
		// Doubly encoded: %2540 is an escaped %40.
		if len(s) >= 5 && s[1] == '2' && s[2] == '5' && isHex(s[3]) && isHex(s[4]) {
			out = append(out, escape{unhex(s[3])<<4 | unhex(s[4]), 5})
		}
	case '\\':
		// JSON's \u0040 (ASCII only: a secret's other bytes are UTF-8,
		// which encoders keep as is).
		if len(s) >= 6 && (s[1] == 'u' || s[1] == 'U') && s[2] == '0' && s[3] == '0' && isHex(s[4]) && isHex(s[5]) {
			out = append(out, escape{unhex(s[4])<<4 | unhex(s[5]), 6})
		}
		if len(s) < 2 {
			break
		}
		// JSON's \" \\ \/ and Markdown's escapes of any punctuation.
		if isPunct(s[1]) {
			out = append(out, escape{s[1], 2})
		}
		// JSON's escapes of control characters.
		if i := strings.IndexByte("tnrbf", s[1]); i >= 0 {
			out = append(out, escape{"\t\n\r\b\f"[i], 2})
		}
	}
	return out
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func isPunct(c byte) bool {
	return c > ' ' && c < 0x7f && !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// lowerASCII maps A-Z to a-z and keeps every other byte.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerByte(c)
	}
	return string(b)
}

// maxPending bounds the incomplete line a Writer holds back: a longer
// one is written out (redacted) in pieces.
const maxPending = 64 << 10

// Writer redacts what it writes to w, line by line, so that a secret
// written in several pieces is still found: complete lines are written at
// once, an incomplete last line is held back until its end comes, or
// until Flush. Writes are serialised (requests log from several
// goroutines).
type Writer struct {
	r       *Redactor
	mu      sync.Mutex
	w       io.Writer
	pending []byte
}

// Writer returns a Writer that redacts into w. Call Flush when done.
func (r *Redactor) Writer(w io.Writer) *Writer { return &Writer{r: r, w: w} }

// Write writes p's complete lines, redacted, and holds back the rest.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = append(w.pending, p...)
	n := len(w.pending)
	if len(w.pending) <= maxPending {
		n = bytes.LastIndexByte(w.pending, '\n') + 1
	}
	if n == 0 {
		return len(p), nil
	}
	err := w.write(n)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes the line held back, if any.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return nil
	}
	return w.write(len(w.pending))
}

// write writes the first n pending bytes, redacted.
func (w *Writer) write(n int) error {
	out := w.r.String(string(w.pending[:n]))
	w.pending = append(w.pending[:0], w.pending[n:]...)
	_, err := io.WriteString(w.w, out)
	return err
}
