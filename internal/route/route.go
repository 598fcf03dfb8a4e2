// Package route sends each item of a run of several zones to its zone: a
// URL, host or prefix to the zone whose name is the longest suffix of its
// host (www.example.org to example.org; a.shop.example.com to
// shop.example.com when it is listed beside example.com), tags and
// purge-everything to every zone, which is how Cloudflare scopes them
// (docs/behaviour.md, "Several zones").
package route

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
)

// maxUnrouted bounds the items an error names one by one.
const maxUnrouted = 10

// Split routes items to the zones named by names (lower case, in the
// run's order). perZone[i] is zone i's share; items of no zone are
// refused, each an *config.InputError naming it and the zones, joined.
// One zone takes everything, unrouted: a URL whose host is not under the
// zone's name may still be in it (a custom hostname of Cloudflare for
// SaaS), and a one-zone run purges what it always purged.
//
// A zone whose name is unknown ("") routes nothing; while one is, an item
// no known zone takes is not refused but left in unrouted: the zone it
// belongs to may be the unknown one.
func Split(items config.Items, names []string, cli bool) (perZone []config.Items, unrouted config.Items, err error) {
	if len(names) == 1 {
		return []config.Items{items}, config.Items{}, nil
	}
	unknown := false
	for _, n := range names {
		unknown = unknown || n == ""
	}
	var refused []error
	refuse := func(input, item string) {
		if len(refused) < maxUnrouted {
			refused = append(refused, &config.InputError{Input: input, Value: item, CLI: cli,
				Problem: fmt.Sprintf("its host is in none of the zones (%s): add its zone to %s, or purge it in a step of its own", strings.Join(known(names), ", "), flag(config.InputZone, cli))})
			return
		}
		refused = append(refused, nil) // counted, not shown
	}
	// Each list is routed in two passes, so that each zone's share is
	// allocated once, at its size: 500,000 URLs must not be copied more.
	fileZone := zonesOf(len(items.Files), func(i int) string { return URLHost(items.Files[i].URL) }, names)
	hostZone := zonesOf(len(items.Hosts), func(i int) string { return items.Hosts[i] }, names)
	prefixZone := zonesOf(len(items.Prefixes), func(i int) string { return PrefixHost(items.Prefixes[i]) }, names)
	perZone = make([]config.Items, len(names))
	for i := range perZone {
		perZone[i].Tags, perZone[i].Everything = items.Tags, items.Everything
		perZone[i].Files = make([]config.File, 0, count(fileZone, i))
		perZone[i].Hosts = make([]string, 0, count(hostZone, i))
		perZone[i].Prefixes = make([]string, 0, count(prefixZone, i))
	}
	deal(items.Files, fileZone, unknown, func(i int) *[]config.File { return &perZone[i].Files }, &unrouted.Files,
		func(f config.File) { refuse(config.InputFiles, f.URL) })
	deal(items.Hosts, hostZone, unknown, func(i int) *[]string { return &perZone[i].Hosts }, &unrouted.Hosts,
		func(h string) { refuse(config.InputHosts, h) })
	deal(items.Prefixes, prefixZone, unknown, func(i int) *[]string { return &perZone[i].Prefixes }, &unrouted.Prefixes,
		func(p string) { refuse(config.InputPrefixes, p) })
	if len(refused) > 0 {
		shown := refused[:min(len(refused), maxUnrouted)]
		if more := len(refused) - len(shown); more > 0 {
			shown = append(shown, &config.InputError{Input: config.InputZone, CLI: cli,
				Problem: fmt.Sprintf("and %d more items are in none of the zones", more)})
		}
		return nil, config.Items{}, errors.Join(shown...)
	}
	return perZone, unrouted, nil
}

// deal puts each item of list where zoneOf says: its zone's share, the
// unrouted rest while a zone's name is unknown, or refused.
func deal[T any](list []T, zoneOf []int16, unknown bool, share func(zone int) *[]T, rest *[]T, refuse func(T)) {
	for j, it := range list {
		switch i := zoneOf[j]; {
		case i >= 0:
			s := share(int(i))
			*s = append(*s, it)
		case unknown:
			*rest = append(*rest, it)
		default:
			refuse(it)
		}
	}
}

// URLs refuses the URLs of input (verify-urls, wait-urls) that are in none
// of the zones named by names, as Split refuses items: with several zones
// each URL is requested through its own zone's environments only, so one
// of no zone would be dropped unseen. One zone, or one whose name is
// unknown (""), refuses none.
func URLs(input string, urls []string, names []string, cli bool) error {
	if len(names) == 1 || slices.Contains(names, "") {
		return nil
	}
	var refused []error
	more := 0
	for _, u := range urls {
		if Zone(URLHost(u), names) >= 0 {
			continue
		}
		if len(refused) == maxUnrouted {
			more++
			continue
		}
		refused = append(refused, &config.InputError{Input: input, Value: u, CLI: cli,
			Problem: fmt.Sprintf("its host is in none of the zones (%s): add its zone to %s, or give only URLs of the zones", strings.Join(names, ", "), flag(config.InputZone, cli))})
	}
	if more > 0 {
		refused = append(refused, &config.InputError{Input: input, CLI: cli,
			Problem: fmt.Sprintf("and %d more URLs are in none of the zones", more)})
	}
	return errors.Join(refused...)
}

// Zone is the index of the zone whose name is the longest suffix of host,
// at a label boundary (example.org takes www.example.org and example.org,
// not badexample.org); -1 when none does.
func Zone(host string, names []string) int {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	best := -1
	for i, n := range names {
		if n == "" || !(host == n || strings.HasSuffix(host, "."+n)) {
			continue
		}
		if best < 0 || len(n) > len(names[best]) {
			best = i
		}
	}
	return best
}

// zonesOf is the zone of each of n items, whose hosts host gives.
func zonesOf(n int, host func(int) string, names []string) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(Zone(host(i), names))
	}
	return out
}

func count(zones []int16, zone int) int {
	n := 0
	for _, z := range zones {
		if int(z) == zone {
			n++
		}
	}
	return n
}

// URLHost is a URL's host name, without its port or user information;
// "" when raw is not an absolute URL. It allocates nothing: it runs once
// per URL of the run.
func URLHost(raw string) string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if strings.HasPrefix(rest, "[") {
		if i := strings.IndexByte(rest, ']'); i >= 0 {
			return rest[1:i]
		}
		return ""
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// PrefixHost is a prefix's host (host/path, no scheme), without its port.
func PrefixHost(p string) string {
	host, _, _ := strings.Cut(p, "/")
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

func known(names []string) []string {
	var out []string
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

func flag(input string, cli bool) string {
	if cli {
		return "--" + input
	}
	return input
}
