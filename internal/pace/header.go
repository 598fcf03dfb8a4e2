package pace

import (
	"strconv"
	"strings"
)

// item is one member of a Ratelimit or Ratelimit-Policy list (the IETF
// RateLimit headers draft, a Structured Fields list, RFC 8941): a name, a
// string or a token, and its parameters. Only integer parameters are kept
// (r, t in Ratelimit; q, w in Ratelimit-Policy); others are skipped.
type item struct {
	name   string
	params []param
}

type param struct {
	key   string
	value int64
}

func (it item) param(key string) (int64, bool) {
	for _, p := range it.params {
		if p.key == key {
			return p.value, true
		}
	}
	return 0, false
}

// parseRatelimit reads every member of the header's field values (several
// header lines are one list, as if joined by commas). A member that does not
// parse is skipped, not the whole list: a server's typo in one item must not
// hide the others, the tightest of which binds.
func parseRatelimit(values []string) []item {
	var items []item
	for _, v := range values {
		for len(v) > 0 {
			var member string
			member, v = cutMember(v)
			if it, ok := parseMember(member); ok {
				items = append(items, it)
			}
		}
	}
	return items
}

// cutMember splits off the first list member: up to a comma outside a
// quoted string.
func cutMember(s string) (member, rest string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\' && i+1 < len(s):
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == ',':
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// parseMember reads `"name";k=1;k2=2` or `name;k=1`. A parameter's value
// may be an integer (kept), a decimal, string, token or byte sequence
// (skipped), or absent (a boolean, skipped).
func parseMember(s string) (item, bool) {
	name, rest, ok := parseName(strings.Trim(s, " \t"))
	if !ok {
		return item{}, false
	}
	it := item{name: name}
	for rest = strings.TrimRight(rest, " \t"); rest != ""; {
		if rest[0] != ';' {
			return item{}, false
		}
		rest = strings.TrimLeft(rest[1:], " ")
		i := 0
		for i < len(rest) && rest[i] != '=' && rest[i] != ';' {
			i++
		}
		key := rest[:i]
		if !validKey(key) {
			return item{}, false
		}
		rest = rest[i:]
		if rest == "" || rest[0] == ';' {
			continue
		}
		rest = rest[1:] // '='
		if rest == "" {
			return item{}, false
		}
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j > 0 {
			n, ok := parseInteger(rest[:j])
			if !ok {
				return item{}, false
			}
			it.params = append(it.params, param{key: key, value: n})
			rest = rest[j:]
			if rest != "" && rest[0] == '.' {
				// A decimal: no parameter of ours, skip it.
				it.params = it.params[:len(it.params)-1]
				rest = strings.TrimLeft(rest[1:], "0123456789")
			}
			if rest != "" && rest[0] != ';' {
				return item{}, false
			}
			continue
		}
		if _, r, ok := parseName(rest); ok {
			rest = r // a string or token value: not ours
			continue
		}
		if rest[0] == ':' {
			if end := strings.IndexByte(rest[1:], ':'); end >= 0 {
				rest = rest[end+2:] // a byte sequence: not ours
				continue
			}
		}
		return item{}, false
	}
	return it, true
}

// parseName reads a quoted string or a token at the start of s.
func parseName(s string) (name, rest string, ok bool) {
	if s == "" {
		return "", "", false
	}
	if s[0] == '"' {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\\':
				if i+1 >= len(s) || (s[i+1] != '"' && s[i+1] != '\\') {
					return "", "", false
				}
				i++
				b.WriteByte(s[i])
			case c == '"':
				return b.String(), s[i+1:], true
			case c < 0x20 || c > 0x7e:
				return "", "", false
			default:
				b.WriteByte(c)
			}
		}
		return "", "", false // no closing quote
	}
	i := 0
	for i < len(s) && isTokenChar(s[i], i == 0) {
		i++
	}
	if i == 0 {
		return "", "", false
	}
	return s[:i], s[i:], true
}

func isTokenChar(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '*':
		return true
	case first:
		return false
	case c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'+-.^_`|~:/", c) >= 0
}

// validKey is a Structured Fields key: lower case letter or *, then lower
// case letters, digits, _ - . *.
func validKey(k string) bool {
	if k == "" || !(k[0] >= 'a' && k[0] <= 'z' || k[0] == '*') {
		return false
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("_-.*", c) >= 0) {
			return false
		}
	}
	return true
}

// parseInteger reads the digits of a non-negative Structured Fields
// integer (at most 15): quotas, remaining calls and seconds are never
// negative, and a negative one is no item of ours.
func parseInteger(digits string) (int64, bool) {
	if digits == "" || len(digits) > 15 {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil
}
