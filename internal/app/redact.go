package app

import (
	"io"
	"strings"
	"sync"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// redactor replaces secrets with *** in everything the program writes: the
// runner masks its log, but not the outputs or the job summary, and the CLI
// has no runner at all.
type redactor struct{ r *strings.Replacer }

func newRedactor(secrets []string) redactor {
	var pairs []string
	for _, s := range secrets {
		if len(s) >= 5 { // shorter would mangle ordinary text; config rejects shorter secrets
			pairs = append(pairs, s, "***")
			// As a workflow command's message escapes it.
			if esc := strings.ReplaceAll(s, "%", "%25"); esc != s {
				pairs = append(pairs, esc, "***")
			}
		}
	}
	return redactor{strings.NewReplacer(pairs...)}
}

func (r redactor) String(s string) string { return r.r.Replace(s) }

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
