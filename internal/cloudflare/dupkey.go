package cloudflare

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// errDuplicateKey fails an answer that gives a key twice: decoders differ
// on which of the two counts ("success": false, then true), so no reading
// of it can be trusted.
var errDuplicateKey = errors.New("the API's answer gives a JSON key twice (in one object): it was not taken for success")

// duplicateKey tells whether any object in the JSON text raw gives a key
// twice, its escapes read and its case folded (the SDK matches keys in any
// case). Text that is not JSON has none: other checks refuse it.
func duplicateKey(raw []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	// One frame per open array or object; an object's frame holds its keys.
	type frame struct {
		keys    map[string]bool // nil for an array
		wantKey bool
	}
	var stack []*frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].keys != nil {
			stack[n-1].wantKey = true
		}
	}
	for {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		if n := len(stack); n > 0 && stack[n-1].keys != nil && stack[n-1].wantKey {
			if k, ok := t.(string); ok {
				k = strings.ToLower(k)
				if stack[n-1].keys[k] {
					return true
				}
				stack[n-1].keys[k] = true
				stack[n-1].wantKey = false
				continue
			}
		}
		switch t {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}
