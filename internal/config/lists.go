package config

import (
	"strings"
	"unicode"
)

// Bounds on the lists, so that absurd input ends in a clear error rather
// than exhausting memory.
const (
	maxListItems    = 100_000 // tags, hosts or prefixes per run, each
	maxTagLength    = 1024    // Cloudflare's limit for a tag in an API call
	maxPrefixSlash  = 31      // Cloudflare's limit of path separators in a prefix
	maxEnvironments = 50
	maxZones        = 50
)

func isSpaceOrControl(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// splitList splits on newlines, commas and whitespace, dropping empty fields.
func splitList(s string) []string { return strings.FieldsFunc(s, isListSeparator) }

func isListSeparator(r rune) bool { return r == ',' || unicode.IsSpace(r) }

// ParseEnvironments splits on newlines and commas only: names may hold spaces.
func ParseEnvironments(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		f = strings.TrimSpace(f)
		switch {
		case f == "" || seen[f]:
			continue
		case strings.IndexFunc(f, unicode.IsControl) >= 0 || len(f) > 255:
			return nil, inputErr(InputEnvironment, f, "is not an environment name or ref: use printable text of at most 255 characters")
		}
		seen[f] = true
		out = append(out, f)
	}
	if len(out) > maxEnvironments {
		return nil, inputErr(InputEnvironment, "", "names %d environments; at most %d are allowed in one run", len(out), maxEnvironments)
	}
	return out, nil
}

// parseZones splits on newlines and commas, and reads each zone; the
// same zone given twice is one.
func parseZones(v string) ([]Zone, error) {
	var out []Zone
	seen := map[Zone]bool{}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		z, isID, err := parseZone(f)
		if err != nil {
			return nil, err
		}
		zone := Zone{Name: z}
		if isID {
			zone = Zone{ID: z}
		}
		if !seen[zone] {
			seen[zone] = true
			out = append(out, zone)
		}
	}
	switch {
	case len(out) == 0:
		_, _, err := parseZone("")
		return nil, err
	case len(out) > maxZones:
		return nil, inputErr(InputZone, "", "names %d zones; at most %d are allowed in one run", len(out), maxZones)
	}
	return out, nil
}

// parseZone tells a zone ID (32 hex characters) from a zone name.
func parseZone(v string) (zone string, isID bool, err error) {
	// A fully qualified name (example.com.) names the same zone, but
	// Cloudflare's lookup by name knows it without the final dot: drop one.
	name := strings.TrimSuffix(strings.ToLower(v), ".")
	// An international name is looked up as Cloudflare names the zone: in
	// ASCII (bücher.example as xn--bcher-kva.example).
	if !isASCII(name) {
		if a, err := CacheKeyHost(name); err == nil {
			name = a
		}
	}
	switch {
	case v == "":
		return "", false, inputErr(InputZone, "", "is required: give the zone ID or name (example.com), or set CLOUDFLARE_ZONE_ID")
	case isHexID(v):
		return strings.ToLower(v), true, nil
	case isHostname(name) && !strings.HasSuffix(name, ".") && strings.Contains(name, "."):
		return name, false, nil
	}
	return "", false, inputErr(InputZone, v, "is neither a zone ID (32 hexadecimal characters) nor a domain name such as example.com")
}

func isHexID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// isHostname accepts lower-case DNS names (IDNs in their xn-- form).
func isHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// parseTags validates cache tags and drops duplicates case-insensitively,
// as Cloudflare treats tags.
func parseTags(s string, n naming) ([]string, error) {
	return parseList(InputTags, s, n, func(t string) (string, string, error) {
		if len(t) > maxTagLength {
			return "", "", inputErr(InputTags, t, "is %d characters long; Cloudflare accepts at most %d", len(t), maxTagLength)
		}
		for _, r := range t {
			if r < 0x21 || r > 0x7e {
				return "", "", inputErr(InputTags, t, "must be printable ASCII without spaces")
			}
		}
		return t, strings.ToLower(t), nil
	})
}

// parseHosts validates bare host names.
func parseHosts(s string, n naming) ([]string, error) {
	return parseList(InputHosts, s, n, func(h string) (string, string, error) {
		l, err := CacheKeyHost(h)
		if err != nil {
			return "", "", inputErr(InputHosts, h, "%v", err)
		}
		if i := strings.Index(l, "://"); i >= 0 {
			return "", "", inputErr(InputHosts, h, "must be a bare host name such as %s, without scheme or path", hostOf(l[i+3:]))
		}
		if !isHostname(l) {
			return "", "", inputErr(InputHosts, h, "is not a host name such as www.example.com")
		}
		return l, l, nil
	})
}

// parsePrefixes validates prefixes: host and path, no scheme, query or fragment.
func parsePrefixes(s string, n naming) ([]string, error) {
	return parseList(InputPrefixes, s, n, func(p string) (string, string, error) {
		if i := strings.Index(p, "://"); i >= 0 {
			return "", "", inputErr(InputPrefixes, p, "must not have a scheme: write it as %s", p[i+3:])
		}
		if strings.ContainsAny(p, "?#") {
			return "", "", inputErr(InputPrefixes, p, "must not have a query string or fragment: a prefix is host and path only")
		}
		if n := strings.Count(p, "/"); n > maxPrefixSlash {
			return "", "", inputErr(InputPrefixes, p, "has %d path separators; Cloudflare accepts at most %d", n, maxPrefixSlash)
		}
		host, path, _ := strings.Cut(p, "/")
		host, err := CacheKeyHost(host)
		if err != nil || !isHostname(host) {
			return "", "", inputErr(InputPrefixes, p, "must start with a host name, such as www.example.com/assets")
		}
		for _, r := range path {
			if r < 0x21 || r == 0x7f {
				return "", "", inputErr(InputPrefixes, p, "must not contain spaces or control characters")
			}
		}
		if path == "" {
			return host, host, nil
		}
		v := host + "/" + path
		return v, v, nil
	})
}

// parseList splits s and checks each item; check returns the item to keep
// and its deduplication key.
func parseList(input, s string, n naming, check func(string) (keep, key string, err error)) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for line := range strings.Lines(s) {
		if splitsPassword(line, isListSeparator) {
			return nil, inputErr(input, "", "%s", credentialsSplit)
		}
	}
	for _, f := range splitList(s) {
		keep, key, err := check(f)
		if err != nil {
			return nil, err
		}
		if seen[key] {
			continue
		}
		if len(out) == maxListItems {
			return nil, inputErr(input, "", "has more than %d items; split the purge into several runs or use %s", maxListItems, n.name(InputPurgeEverything))
		}
		seen[key] = true
		out = append(out, keep)
	}
	return out, nil
}

func hostOf(s string) string {
	h, _, _ := strings.Cut(s, "/")
	return h
}
