package app

import (
	"io"
	"strings"
	"sync"
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
		}
	}
	return redactor{strings.NewReplacer(pairs...)}
}

func (r redactor) String(s string) string { return r.r.Replace(s) }

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
