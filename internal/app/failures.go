package app

import (
	"slices"

	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// maxErrorLines bounds the error lines logFailures writes: GitHub makes
// annotations of the first 10 of a step only, and a terminal needs no more
// (the report lists every failed request).
const maxErrorLines = 10

// failure is one distinct error of an environment's failed requests.
type failure struct {
	env      string
	err      *result.Error
	requests int
	items    int
	batches  []result.Batch
}

// failureKey is what makes an error distinct within an environment.
type failureKey struct {
	code    int
	message string
}

// isFailure tells whether a batch failed for a reason of its own: batches
// that the run's own error explains (it was logged when the run stopped)
// are not repeated.
func isFailure(b result.Batch) bool {
	return b.Status == result.Failed && b.Error != nil && !b.Error.IsStop()
}

// failures groups the failed requests of r by distinct error (same code
// and message) per environment, with how many requests and items each
// failed: those that failed the most items first, in order of appearance
// otherwise.
func failures(r *result.Result) []*failure {
	var fails []*failure
	for _, e := range r.Environments {
		byErr := map[failureKey]*failure{}
		for _, b := range e.Batches {
			if !isFailure(b) {
				continue
			}
			k := failureKey{b.Error.Code, b.Error.Message}
			f := byErr[k]
			if f == nil {
				f = &failure{env: e.Name, err: b.Error}
				byErr[k] = f
				fails = append(fails, f)
			}
			f.requests++
			f.items += b.Count
			f.batches = append(f.batches, b)
		}
	}
	slices.SortStableFunc(fails, func(a, b *failure) int { return b.items - a.items })
	return fails
}

// logFailures writes one error line per failure, at most maxErrorLines:
// past them, the last line counts the others and points at where (see)
// they are all listed.
func logFailures(log logger, fails []*failure, see string) {
	for i, f := range fails {
		if i == maxErrorLines-1 && len(fails) > maxErrorLines {
			requests, items := 0, 0
			for _, g := range fails[i:] {
				requests, items = requests+g.requests, items+g.items
			}
			log.Errorf("%s (%s) failed with %s: see %s",
				report.Count(requests, "more request"), report.Count(items, "item"), report.Count(len(fails)-i, "other error"), see)
			break
		}
		log.Errorf("%s: %s (%s) failed: %s", f.env, report.Count(f.requests, "request"), report.Kinds(f.batches), f.err.Text())
	}
}
