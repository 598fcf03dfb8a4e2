package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// principal is who a request authenticated as.
type principal struct {
	token *Token // nil for a Global API key, which may do anything
}

func (p principal) can(perm Permission, zoneID string) bool {
	if p.token == nil {
		return true
	}
	return slices.Contains(p.token.Permissions, perm) &&
		(len(p.token.ZoneIDs) == 0 || slices.Contains(p.token.ZoneIDs, zoneID))
}

// authKind names the credentials a request carries, for Request.Auth.
func authKind(h http.Header) string {
	switch {
	case h.Get("Authorization") != "":
		return "token"
	case h.Get("X-Auth-Key") != "" || h.Get("X-Auth-Email") != "":
		return "key"
	}
	return ""
}

// credential identifies a caller for the Ratelimit header's window. It holds the
// secret, so it only ever serves as a map key.
func credential(h http.Header) string {
	return h.Get("Authorization") + "\x00" + h.Get("X-Auth-Email") + "\x00" + h.Get("X-Auth-Key")
}

// errHeaders is Cloudflare's answer to malformed auth headers: 6003 with the header
// at fault in error_chain (6003 with 6102, 6103 or 6111).
func errHeaders(code int, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, Code: 6003, Message: "Invalid request headers",
		ErrorChain: []apiError{{Code: code, Message: msg}}}
}

// authenticate checks the credentials. No error message ever contains them.
func (e *Emulator) authenticate(h http.Header) (principal, *apiError) {
	authz := h.Get("Authorization")
	email, key := h.Get("X-Auth-Email"), h.Get("X-Auth-Key")
	switch {
	case authz != "" && (email != "" || key != ""):
		// Undocumented: both methods at once. Refused like missing credentials; the
		// action never sends both.
		return principal{}, &errAuth
	case authz != "":
		scheme, tok, ok := strings.Cut(authz, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || !wellFormedToken(tok) {
			return principal{}, errHeaders(6111, "Invalid format for Authorization header")
		}
		e.mu.Lock()
		t, known := e.tokens[tok]
		e.mu.Unlock()
		if !known {
			return principal{}, &errAuth
		}
		return principal{token: &t}, nil
	case email != "" || key != "":
		if !strings.Contains(email, "@") {
			return principal{}, errHeaders(6102, "Invalid format for X-Auth-Email header")
		}
		e.mu.Lock()
		owner, known := e.keys[key]
		e.mu.Unlock()
		if !known {
			// The classic mistake this catches: an API token sent as the Global API key.
			return principal{}, errHeaders(6103, "Invalid format for X-Auth-Key header")
		}
		if !strings.EqualFold(owner, email) {
			// Cloudflare's code for a key that is not this email's.
			return principal{}, &apiError{status: http.StatusForbidden, Code: 9103, Message: "Unknown X-Auth-Key or X-Auth-Email"}
		}
		return principal{}, nil
	}
	return principal{}, &errNoCredentials
}

// wellFormedToken accepts the alphabet of Cloudflare's API tokens, so that a token
// pasted with quotes, spaces or a line break is malformed (6111), not unknown.
func wellFormedToken(tok string) bool {
	if tok == "" {
		return false
	}
	for _, c := range tok {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
