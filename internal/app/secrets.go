package app

import (
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// secretValues reads the secret inputs before validation, so that they are
// masked before anything else is printed.
func secretValues(input func(string) string, getenv func(string) string) []string {
	var out []string
	for _, in := range config.Inputs {
		if !in.Secret {
			continue
		}
		v := input(in.Name)
		if strings.TrimSpace(v) == "" && in.Env != "" {
			v = getenv(in.Env)
		}
		for _, line := range strings.Split(v, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
	}
	return out
}

// redactResult hides the secrets in every text of a run's result before
// it is rendered: the summary escapes Markdown and the result output JSON,
// and report cuts long texts, so a secret that an error message or an item
// carried would no longer match once rendered. The walk reaches every
// string field, the ones added later too.
func redactResult(red *redact.Redactor, res *result.Result) {
	red.Walk(res)
}
