package report

import "github.com/cloudflare-purge/cloudflare-purge/internal/result"

// words are what a report calls the run's action: a purge deletes cached
// content, an invalidation marks it stale. Everything a user reads says
// which.
type words struct {
	noun   string // "purge", "invalidation"
	verb   string // "purge", "invalidate"
	verbs  string // "purges", "invalidates"
	past   string // "purged", "invalidated"
	Past   string // "Purged", "Invalidated"
	idsFor string // "Purge IDs", "Invalidation IDs"
}

var (
	purgeWords      = words{noun: "purge", verb: "purge", verbs: "purges", past: "purged", Past: "Purged", idsFor: "Purge IDs"}
	invalidateWords = words{noun: "invalidation", verb: "invalidate", verbs: "invalidates", past: "invalidated", Past: "Invalidated", idsFor: "Invalidation IDs"}
)

func wordsOf(r *result.Result) words {
	if r.Invalidate {
		return invalidateWords
	}
	return purgeWords
}
