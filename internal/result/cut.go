package result

import "unicode/utf8"

// Cut shortens s to at most n characters, the last an ellipsis marking the
// cut: the one way every text from the API, a site or a user is bounded
// before it is shown.
func Cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	k := 0
	for i := range s {
		if k == n-1 {
			return s[:i] + "…"
		}
		k++
	}
	return s
}
