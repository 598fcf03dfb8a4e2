package app

import (
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// redactor replaces secrets with *** in everything the program writes: the
// runner masks its log, but not the outputs or the job summary, and the CLI
// has no runner at all. It matches secrets in any ASCII case: host names
// are lower-cased, and an API may echo a header value in another case.
// (The runner's mask is case-sensitive: config refuses inputs that hold a
// secret for that reason.) Cloudflare's tokens and keys are ASCII; in a
// non-ASCII email only the ASCII letters are matched in any case.
type redactor struct {
	pats []string // the secrets, ASCII lower-cased, longest first
}

func newRedactor(secrets []string) redactor {
	var r redactor
	for _, s := range secrets {
		if len(s) >= 5 { // shorter would mangle ordinary text; config rejects shorter secrets
			r.pats = append(r.pats, lowerASCII(s))
			// As a workflow command's message escapes it.
			if esc := strings.ReplaceAll(s, "%", "%25"); esc != s {
				r.pats = append(r.pats, lowerASCII(esc))
			}
		}
	}
	// Longest first, so that of two secrets found at one place, the
	// longer is replaced whole.
	sort.SliceStable(r.pats, func(i, j int) bool { return len(r.pats[i]) > len(r.pats[j]) })
	return r
}

func (r redactor) String(s string) string {
	if len(r.pats) == 0 {
		return s
	}
	// lowerASCII keeps every byte at its place: a match in low is at the
	// same offsets in s.
	low := lowerASCII(s)
	var b strings.Builder
	done := 0
	for {
		at, n := -1, 0
		for _, p := range r.pats {
			if i := strings.Index(low[done:], p); i >= 0 && (at < 0 || done+i < at) {
				at, n = done+i, len(p)
			}
		}
		if at < 0 {
			break
		}
		b.WriteString(s[done:at])
		b.WriteString("***")
		done = at + n
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// lowerASCII maps A-Z to a-z and keeps every other byte; it allocates only
// when s has an upper-case letter.
func lowerASCII(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Result redacts every text of a run's result before it is rendered: the
// summary escapes Markdown and the result output JSON, so a secret that an
// error message or an item carried would no longer match once escaped.
func (r redactor) Result(res *result.Result) {
	s := r.String
	res.ZoneID, res.ZoneName = s(res.ZoneID), s(res.ZoneName)
	r.error(res.Error)
	for i := range res.PurgeIDs {
		res.PurgeIDs[i] = s(res.PurgeIDs[i])
	}
	for i := range res.EnvironmentRefs {
		res.EnvironmentRefs[i] = s(res.EnvironmentRefs[i])
	}
	for i := range res.Environments {
		e := &res.Environments[i]
		e.Name, e.Ref = s(e.Name), s(e.Ref)
		for j := range e.Batches {
			b := &e.Batches[j]
			b.ID = s(b.ID)
			r.error(b.Error)
			for k := range b.Items {
				b.Items[k] = s(b.Items[k])
			}
		}
	}
}

func (r redactor) error(e *result.Error) {
	if e != nil {
		e.Message, e.Hint = r.String(e.Message), r.String(e.Hint)
	}
}

// Writer redacts each write. Secrets are single-line and every line is
// written whole, so a secret never straddles two writes. Writes are
// serialised: concurrent requests log from several goroutines.
func (r redactor) Writer(w io.Writer) io.Writer { return &redactWriter{r: r, w: w} }

type redactWriter struct {
	r  redactor
	mu sync.Mutex
	w  io.Writer
}

func (rw *redactWriter) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if _, err := io.WriteString(rw.w, rw.r.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
