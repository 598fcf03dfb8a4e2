// Package suggest finds, among the names a user could have meant, the one
// closest to what they wrote: the "did you mean" of flags, environments
// and zones.
package suggest

import "strings"

// Nearest is the candidate fewest edits from word, ignoring case, when it is
// close enough to be a slip (at most a third of word's length, and 3), or
// "". Of equally near candidates, the first wins.
func Nearest(word string, candidates []string) string {
	w := strings.ToLower(word)
	best, bestDist := "", min(3, max(1, len([]rune(w))/3))+1
	for _, c := range candidates {
		if d := distance(w, strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is Levenshtein's distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
