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
// so a secret that an error message or an item carried would no longer
// match once escaped.
func redactResult(red *redact.Redactor, res *result.Result) {
	s := red.String
	res.ZoneID, res.ZoneName = s(res.ZoneID), s(res.ZoneName)
	for i := range res.Zones {
		z := &res.Zones[i]
		z.ID, z.Name = s(z.ID), s(z.Name)
	}
	redactError(red, res.Error)
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
			redactError(red, b.Error)
			for k := range b.Items {
				b.Items[k] = s(b.Items[k])
			}
		}
		if v := e.Verification; v != nil {
			v.Reason, v.Selector = s(v.Reason), s(v.Selector)
			for k := range v.URLs {
				c := &v.URLs[k]
				c.URL, c.Location, c.Reason, c.CacheStatus = s(c.URL), s(c.Location), s(c.Reason), s(c.CacheStatus)
			}
		}
	}
}

func redactError(red *redact.Redactor, e *result.Error) {
	if e != nil {
		e.Message, e.Hint = red.String(e.Message), red.String(e.Hint)
	}
}
