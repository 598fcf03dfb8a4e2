package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// listKinds are the purge kinds that carry a list, in the order errors name them.
var listKinds = []string{"files", "tags", "hosts", "prefixes"}

const (
	flexPerRequest = 100  // tags, hosts or prefixes per request, every plan (since 2026)
	maxTagLength   = 1024 // characters per tag in an API call
	maxPrefixSlash = 31   // path separators per prefix
)

// Codes for rules whose real code Cloudflare does not document. Clients should rely
// on the HTTP 400, not on these.
const (
	codeTooMany     = 1015 // more items than the plan allows per request
	codeInvalidItem = 1016 // an item that is not a valid URL, tag, host or prefix
	codeInvalidJSON = 9207 // a body that is not a JSON object
)

// purgeBody is a request body that passed every rule.
type purgeBody struct {
	kind  string
	items []string // nil for purge_everything
}

// servePurge answers both purge endpoints and both invalidation endpoints, which
// take the same bodies, follow the same rules and draw on the same budgets; env is
// nil for the zone endpoints.
func (e *Emulator) servePurge(w http.ResponseWriter, zone Zone, env *Environment, body []byte, invalidate bool) {
	req, aerr := parsePurge(body, planLimits[zone.Plan].filesPerRequest)
	if aerr == nil && env != nil && req.kind == "files" && selectsByVisitor.MatchString(env.Expression) {
		verb, Verb := "purge", "Purge"
		if invalidate {
			verb, Verb = "invalidate", "Invalidation"
		}
		aerr = errBadRequest(1136, fmt.Sprintf("%s by URL is not supported in environment %q: its expression selects traffic by IP address, country, ASN or threat score. Use tags, hosts, prefixes or %s everything instead.", Verb, env.Name, verb))
	}
	if aerr != nil {
		writeError(w, *aerr)
		return
	}
	id := newID()
	e.mu.Lock()
	wait, ok := e.take(zone, req)
	if ok {
		p := Purge{ZoneID: zone.ID, Kind: req.kind, Items: req.items, ID: id, Invalidate: invalidate}
		if env != nil {
			p.EnvironmentRef = env.Ref
		}
		if invalidate {
			e.invals = keepLast(append(e.invals, p), e.opts.History)
		} else {
			e.purges = keepLast(append(e.purges, p), e.opts.History)
		}
		e.applyToCache(zone, env, p)
	}
	e.mu.Unlock()
	if !ok {
		if !e.opts.OmitRetryAfter {
			w.Header().Set("Retry-After", strconv.Itoa(wait))
		}
		writeError(w, errRateLimited)
		return
	}
	writeResult(w, map[string]string{"id": id})
}

var errRateLimited = apiError{status: http.StatusTooManyRequests, Code: 1134,
	Message: "Unable to purge, rate limit reached. Please wait and consider throttling your request speed"}

// selectsByVisitor matches expressions that select traffic by visitor IP, country,
// ASN or threat score (ip.src also covers ip.src.country, ip.src.asnum, ...):
// Cloudflare refuses URL purges in such environments (1136).
var selectsByVisitor = regexp.MustCompile(`\b(ip\.src|ip\.geoip\.country|ip\.geoip\.asnum|cf\.threat_score)\b`)

// parsePurge applies Cloudflare's body rules, in this order: a JSON object (9207),
// lists that are arrays (1014), purge_everything alone (1092) and true (1012), some
// kind (1012), one kind (1012), entries of the right type (1016), a non-empty list
// (1012), the per-request limit (1015), valid entries (1016).
func parsePurge(body []byte, filesPerRequest int) (purgeBody, *apiError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return purgeBody{}, errBadRequest(codeInvalidJSON, "Request body is not a valid JSON object")
	}
	var kinds []string
	for _, k := range listKinds {
		raw, ok := fields[k]
		if !ok {
			continue
		}
		if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
			return purgeBody{}, errBadRequest(1014, fmt.Sprintf("%q must be an array", k))
		}
		kinds = append(kinds, k)
	}
	everything, hasEverything := fields["purge_everything"]
	switch {
	case hasEverything && len(kinds) > 0:
		return purgeBody{}, errBadRequest(1092, "purge_everything cannot be combined with files, tags, hosts or prefixes")
	case hasEverything:
		// Undocumented: false or a non-boolean purges nothing, answered as no field.
		if string(bytes.TrimSpace(everything)) != "true" {
			return purgeBody{}, errBadRequest(1012, "purge_everything must be true")
		}
		return purgeBody{kind: "purge_everything"}, nil
	case len(kinds) == 0:
		return purgeBody{}, errBadRequest(1012, `Request must contain one of "purge_everything", "files", "tags", "hosts" or "prefixes"`)
	case len(kinds) > 1:
		// Mixing is not documented as supported; the action sends one kind per request.
		return purgeBody{}, errBadRequest(1012, fmt.Sprintf("Only one kind per request: got %s", strings.Join(kinds, " and ")))
	}
	kind := kinds[0]
	items, aerr := parseItems(kind, fields[kind])
	if aerr != nil {
		return purgeBody{}, aerr
	}
	limit := flexPerRequest
	if kind == "files" {
		limit = filesPerRequest
	}
	switch {
	case len(items) == 0:
		return purgeBody{}, errBadRequest(1012, fmt.Sprintf("%q must not be empty", kind))
	case len(items) > limit:
		return purgeBody{}, errBadRequest(codeTooMany, fmt.Sprintf("Too many %s: at most %d per request on this plan, got %d", kind, limit, len(items)))
	}
	for _, item := range items {
		if problem := checkItem(kind, item); problem != "" {
			return purgeBody{}, errBadRequest(codeInvalidItem, fmt.Sprintf("Invalid %s entry %q: %s", singular(kind), shorten(item), problem))
		}
	}
	return purgeBody{kind: kind, items: items}, nil
}

// fileObject is the files entry form with custom cache-key headers.
type fileObject struct {
	URL     *string           `json:"url"`
	Headers map[string]string `json:"headers"`
}

// parseItems decodes a list; files entries may be strings or {url, headers}.
func parseItems(kind string, raw json.RawMessage) ([]string, *apiError) {
	var entries []json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, errBadRequest(1014, fmt.Sprintf("%q must be an array", kind))
	}
	items := make([]string, len(entries))
	for i, entry := range entries {
		if json.Unmarshal(entry, &items[i]) == nil {
			continue
		}
		var obj fileObject
		if kind != "files" || json.Unmarshal(entry, &obj) != nil || obj.URL == nil {
			what := "strings"
			if kind == "files" {
				what = `strings or objects {"url", "headers"}`
			}
			return nil, errBadRequest(codeInvalidItem, fmt.Sprintf("%q entries must be %s", kind, what))
		}
		items[i] = *obj.URL
	}
	return items, nil
}

// checkItem returns what is wrong with one entry, or "".
func checkItem(kind, item string) string {
	switch kind {
	case "files":
		u, err := url.Parse(item)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "not an absolute http(s) URL"
		}
	case "tags":
		if item == "" || len(item) > maxTagLength {
			return fmt.Sprintf("a tag has 1 to %d characters", maxTagLength)
		}
		for _, c := range []byte(item) {
			if c <= ' ' || c > '~' {
				return "a tag is printable ASCII without spaces"
			}
		}
	case "hosts":
		if item == "" || strings.ContainsAny(item, "/?#@ \t\r\n") {
			return "not a bare host name"
		}
	case "prefixes":
		switch {
		case strings.Contains(item, "://"):
			return "a prefix has no scheme"
		case strings.ContainsAny(item, "?#"):
			return "a prefix has no query string or fragment"
		case item == "" || item[0] == '/':
			return "a prefix starts with a host name"
		case strings.Count(item, "/") > maxPrefixSlash:
			return fmt.Sprintf("a prefix has at most %d path separators", maxPrefixSlash)
		}
	}
	return ""
}

// shorten keeps error messages small when an entry is huge (a 5,000-character tag).
func shorten(s string) string {
	const keep = 80
	if len(s) <= keep {
		return s
	}
	return s[:keep] + "..."
}

// singular names one item of a list kind: "file", "tag", "host", "prefix".
func singular(kind string) string {
	if kind == "prefixes" {
		return "prefix"
	}
	return strings.TrimSuffix(kind, "s")
}
