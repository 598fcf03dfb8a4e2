package selector

import (
	"fmt"
	"strings"
)

// tokKind is the kind of a lexical token of the Ruleset Engine language.
type tokKind int

const (
	tokEOF    tokKind = iota
	tokWord           // field names, keywords, IP addresses, numbers
	tokString         // "..." or r"..." / r#"..."#, already unescaped
	tokSymbol         // ( ) { } [ ] * , == != && || ^^ ! < > <= >= ~
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset, for messages
}

// lex splits an expression into tokens. Anything it does not know is an error:
// the reader never guesses.
func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			str, n, err := lexString(s[i:])
			if err != nil {
				return nil, fmt.Errorf("at byte %d: %w", i, err)
			}
			toks = append(toks, token{tokString, str, i})
			i += n
		case c == 'r' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '#'):
			str, n, err := lexRawString(s[i:])
			if err != nil {
				return nil, fmt.Errorf("at byte %d: %w", i, err)
			}
			toks = append(toks, token{tokString, str, i})
			i += n
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			toks = append(toks, token{tokWord, s[i:j], i})
			i = j
		default:
			sym := ""
			for _, two := range []string{"==", "!=", "&&", "||", "^^", "<=", ">="} {
				if strings.HasPrefix(s[i:], two) {
					sym = two
					break
				}
			}
			if sym == "" && strings.IndexByte("(){}[]*,!<>~", c) >= 0 {
				sym = string(c)
			}
			if sym == "" {
				return nil, fmt.Errorf("unexpected character %q at byte %d", c, i)
			}
			toks = append(toks, token{tokSymbol, sym, i})
			i += len(sym)
		}
	}
	return append(toks, token{tokEOF, "", len(s)}), nil
}

// isWordByte: letters, digits and the punctuation of field names (cf.edge.server_ip),
// IPv4/IPv6 addresses (1.2.3.4, 2001:db8::1) and CIDR ranges (10.0.0.0/8).
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == ':' || c == '/'
}

// lexString reads a quoted string; the language knows only the escapes \" and \\.
func lexString(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '"':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 >= len(s) {
				return "", 0, fmt.Errorf("unterminated string")
			}
			if s[i+1] != '"' && s[i+1] != '\\' {
				return "", 0, fmt.Errorf("unknown escape \\%c in a string (only \\\" and \\\\ exist)", s[i+1])
			}
			b.WriteByte(s[i+1])
			i++
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

// lexRawString reads r"..." or r#"..."# (any number of #), which have no escapes.
func lexRawString(s string) (string, int, error) {
	hashes := 0
	i := 1
	for i < len(s) && s[i] == '#' {
		hashes++
		i++
	}
	if i >= len(s) || s[i] != '"' {
		return "", 0, fmt.Errorf("malformed raw string")
	}
	end := "\"" + strings.Repeat("#", hashes)
	j := strings.Index(s[i+1:], end)
	if j < 0 {
		return "", 0, fmt.Errorf("unterminated raw string")
	}
	return s[i+1 : i+1+j], i + 1 + j + len(end), nil
}
