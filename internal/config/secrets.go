package config

import (
	"errors"
	"fmt"
	"strings"
)

func parseAuth(token, key, email string, n naming) (Auth, error) {
	a := Auth{Token: token, Key: key, Email: email}
	var errs []error
	for _, f := range []struct{ name, v string }{{InputAPIToken, token}, {InputAPIKey, key}, {InputAPIEmail, email}} {
		switch {
		case strings.IndexFunc(f.v, isSpaceOrControl) >= 0:
			errs = append(errs, inputErr(f.name, "", "contains spaces or control characters (value hidden); paste the secret without surrounding text"))
		case f.name != InputAPIEmail && strings.IndexFunc(f.v, outsideTokenAlphabet) >= 0:
			// Cloudflare's tokens and keys are written in this alphabet
			// only. A character outside it is a paste gone wrong, and
			// one that markup or a workflow command changes (# [ : % \)
			// could carry the secret past the redactor.
			errs = append(errs, inputErr(f.name, "", "contains characters that no Cloudflare %s has, only letters, digits, - and _ (value hidden); paste the secret without surrounding text", credentialKind(f.name)))
		}
	}
	if token != "" && len(token) < 8 {
		errs = append(errs, inputErr(InputAPIToken, "", "is too short to be a Cloudflare API token (value hidden)"))
	}
	if key != "" && len(key) < 8 {
		errs = append(errs, inputErr(InputAPIKey, "", "is too short to be a Cloudflare Global API key (value hidden)"))
	}
	if email != "" && (!strings.Contains(email, "@") || len(email) < 5) {
		errs = append(errs, inputErr(InputAPIEmail, "", "is not an email address (value hidden)"))
	}
	tokenIn, keyIn, emailIn := n.name(InputAPIToken), n.name(InputAPIKey), n.name(InputAPIEmail)
	switch {
	case token != "" && (key != "" || email != ""):
		errs = append(errs, inputErr(InputAPIToken, "", "give either %s or %s with %s, not both", tokenIn, keyIn, emailIn))
	case token == "" && key == "" && email == "":
		errs = append(errs, inputErr(InputAPIToken, "", "no credentials: set %s (or CLOUDFLARE_API_TOKEN), or %s with %s", tokenIn, keyIn, emailIn))
	case token == "" && key == "":
		errs = append(errs, inputErr(InputAPIKey, "", "%s is set but %s is not: give both, or use %s", emailIn, keyIn, tokenIn))
	case token == "" && email == "":
		errs = append(errs, inputErr(InputAPIEmail, "", "%s is set but %s is not: the Global API key needs the account email", keyIn, emailIn))
	}
	return a, errors.Join(errs...)
}

// outsideTokenAlphabet tells a character that Cloudflare's API tokens
// and Global API keys never hold.
func outsideTokenAlphabet(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}

func credentialKind(input string) string {
	if input == InputAPIKey {
		return "Global API key"
	}
	return "API token"
}

// credentialProblem is the problem of a value that holds a credential.
func credentialProblem(n naming) string {
	return fmt.Sprintf("value hidden: it contains a credential; give the API token, key and email only as %s, %s and %s",
		n.name(InputAPIToken), n.name(InputAPIKey), n.name(InputAPIEmail))
}

// holds tells whether a file's URL or headers hold one of the
// credentials, in any form the redactor knows (any case, percent-encoded).
func (l *loader) holds(f File) bool {
	if l.red.Contains(f.URL) {
		return true
	}
	for k, v := range f.Headers {
		if l.red.Contains(k) || l.red.Contains(v) {
			return true
		}
	}
	return false
}

// hide is the last step of Load, over every problem found: it names the
// inputs as the user gave them (inputs or flags), drops a value that holds
// a credential (messages quote values, shortened, and a shortened secret
// would escape the log's masking), masks credentials in the problem's own
// text (some quote part of the value, maybe lower-cased), and the user
// information of URLs.
func (l *loader) hide(problems []error) {
	for _, err := range problems {
		ie, ok := err.(*InputError)
		if !ok {
			continue
		}
		ie.CLI = l.n.cli
		if l.red.Contains(ie.Value) {
			ie.Value = ""
			ie.Problem += " (value hidden: it contains a credential)"
		}
		ie.Value = hideUserinfo(ie.Value)
		ie.Problem = hideUserinfo(l.red.String(ie.Problem))
	}
}
