package selector

import (
	"fmt"
	"maps"
	"net/netip"
	"net/textproto"
	"slices"
	"strings"
)

// maxExprLen bounds the work done on an expression (Cloudflare's own limit is 4096
// characters for a rule expression; environments' are far shorter).
const maxExprLen = 16 << 10

// maxDepth bounds nesting, so that a hostile expression cannot exhaust the stack.
const maxDepth = 64

// Parse reads an environment expression. Its error wraps ErrNotSelectable and says why
// in words, for example "selects by visitor country (ip.geoip.country), which a client
// cannot choose".
func Parse(expr string) (Selector, error) {
	if strings.TrimSpace(expr) == "" {
		return Selector{}, notSelectable("the expression is empty")
	}
	if len(expr) > maxExprLen {
		return Selector{}, notSelectable(fmt.Sprintf("the expression is longer than %d bytes", maxExprLen))
	}
	toks, err := lex(expr)
	if err != nil {
		return Selector{}, notSelectable("cannot read the expression: " + err.Error())
	}
	p := &parser{toks: toks}
	n, err := p.parseOr(0)
	if err != nil {
		return Selector{}, notSelectable(err.Error())
	}
	if t := p.peek(); t.kind != tokEOF {
		return Selector{}, notSelectable(fmt.Sprintf("unexpected %s at byte %d", describe(t), t.pos))
	}
	sel, why := reduce(n)
	if why != "" {
		return Selector{}, notSelectable(why)
	}
	return sel, nil
}

func notSelectable(why string) error {
	return fmt.Errorf("%w: %s", ErrNotSelectable, why)
}

// node is the expression's tree. A leaf is either something a client can send (sel) or
// refused with a reason a client cannot satisfy it (why): the `or` rule needs both.
type node struct {
	op   string // "", "and", "or"
	sel  Selector
	why  string
	l, r *node
}

func refused(format string, args ...any) *node { return &node{why: fmt.Sprintf(format, args...)} }

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (t token) is(words ...string) bool {
	if t.kind != tokWord && t.kind != tokSymbol {
		return false
	}
	return slices.Contains(words, t.text)
}

func (p *parser) expect(sym string) error {
	t := p.next()
	if t.kind != tokSymbol || t.text != sym {
		return fmt.Errorf("expected %q at byte %d, found %s", sym, t.pos, describe(t))
	}
	return nil
}

func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "the end of the expression"
	case tokString:
		// A string may be a credential the expression matches (a bearer
		// token, a session cookie); one that cannot be read is never
		// registered as a secret, so its text is never quoted.
		return "a string"
	}
	return fmt.Sprintf("%q", t.text)
}

func (p *parser) parseOr(depth int) (*node, error) {
	l, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().is("or", "||") {
		p.next()
		r, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		l = &node{op: "or", l: l, r: r}
	}
	if p.peek().is("xor", "^^") {
		return nil, fmt.Errorf("uses xor, which this reader does not understand")
	}
	return l, nil
}

func (p *parser) parseAnd(depth int) (*node, error) {
	l, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().is("and", "&&") {
		p.next()
		r, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		l = &node{op: "and", l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseUnary(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("the expression is nested more than %d levels deep", maxDepth)
	}
	t := p.peek()
	switch {
	case t.is("not", "!"):
		p.next()
		if _, err := p.parseUnary(depth + 1); err != nil {
			return nil, err
		}
		// A negation asks the client NOT to send something: it cannot know what else
		// the request must carry, so it does not choose.
		return refused("uses not (%s), which says what a request must not carry, not what to send", t.text), nil
	case t.kind == tokSymbol && t.text == "(":
		p.next()
		n, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return n, nil
	case t.kind == tokWord:
		return p.parseCondition()
	}
	return nil, fmt.Errorf("expected a condition at byte %d, found %s", t.pos, describe(t))
}

// fieldRef is a field with its optional map key and array index: cookies["n"][*].
type fieldRef struct {
	name  string
	key   *string
	index string // "", "*" or a number
}

func (p *parser) parseFieldRef() (fieldRef, error) {
	t := p.next()
	if t.kind != tokWord {
		return fieldRef{}, fmt.Errorf("expected a field at byte %d, found %s", t.pos, describe(t))
	}
	f := fieldRef{name: t.text}
	if p.peek().is("[") {
		p.next()
		k := p.next()
		switch {
		case k.kind == tokString:
			f.key = &k.text
			if err := p.expect("]"); err != nil {
				return fieldRef{}, err
			}
			if p.peek().is("[") {
				p.next()
				ix := p.next()
				if !(ix.kind == tokSymbol && ix.text == "*") && ix.kind != tokWord {
					return fieldRef{}, fmt.Errorf("expected an index at byte %d, found %s", ix.pos, describe(ix))
				}
				f.index = ix.text
				if err := p.expect("]"); err != nil {
					return fieldRef{}, err
				}
			}
		case k.kind == tokSymbol && k.text == "*", k.kind == tokWord:
			f.index = k.text
			if err := p.expect("]"); err != nil {
				return fieldRef{}, err
			}
		default:
			return fieldRef{}, fmt.Errorf("expected a key or an index at byte %d, found %s", k.pos, describe(k))
		}
	}
	return f, nil
}

var operators = map[string]string{
	"eq": "eq", "==": "eq", "ne": "ne", "!=": "ne",
	"lt": "lt", "<": "lt", "le": "le", "<=": "le", "gt": "gt", ">": "gt", "ge": "ge", ">=": "ge",
	"contains": "contains", "matches": "matches", "~": "matches",
	"wildcard": "wildcard", "strict": "strict wildcard", "in": "in",
}

// value is a comparison's right side: one literal or a set.
type value struct {
	items []token // strings or words
	set   bool
}

func (p *parser) parseValue() (value, error) {
	t := p.next()
	switch {
	case t.kind == tokString, t.kind == tokWord:
		return value{items: []token{t}}, nil
	case t.kind == tokSymbol && t.text == "{":
		var v value
		v.set = true
		for !p.peek().is("}") {
			it := p.next()
			if it.kind != tokString && it.kind != tokWord {
				return value{}, fmt.Errorf("expected a value in the set at byte %d, found %s", it.pos, describe(it))
			}
			v.items = append(v.items, it)
		}
		p.next()
		if len(v.items) == 0 {
			return value{}, fmt.Errorf("empty set at byte %d", t.pos)
		}
		return v, nil
	}
	return value{}, fmt.Errorf("expected a value at byte %d, found %s", t.pos, describe(t))
}

func (p *parser) parseCondition() (*node, error) {
	t := p.peek()
	if p.i+1 < len(p.toks) && p.toks[p.i+1].is("(") {
		return p.parseFunction()
	}
	f, err := p.parseFieldRef()
	if err != nil {
		return nil, err
	}
	opTok := p.peek()
	op, isOp := operators[opTok.text]
	if opTok.kind == tokString || !isOp {
		// A bare boolean field, such as cf.client.bot.
		if n := unchoosable(f.name); n != nil {
			return n, nil
		}
		return nil, fmt.Errorf("uses the field %s (byte %d) without a comparison, which this reader does not understand", f.name, t.pos)
	}
	p.next()
	if op == "strict wildcard" {
		if w := p.next(); !w.is("wildcard") {
			return nil, fmt.Errorf("expected wildcard after strict at byte %d", w.pos)
		}
	}
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	return condition(f, op, v, false)
}

// parseFunction reads a function call. Only any(FIELD[*] eq "v") is understood.
func (p *parser) parseFunction() (*node, error) {
	name := p.next()
	p.next() // (
	if name.text != "any" {
		return nil, fmt.Errorf("uses the function %s(), which this reader does not understand", name.text)
	}
	f, err := p.parseFieldRef()
	if err != nil {
		return nil, err
	}
	if f.index != "*" {
		return nil, fmt.Errorf("any() at byte %d must hold a comparison of FIELD[*], as in any(http.request.cookies[\"n\"][*] eq \"v\")", name.pos)
	}
	opTok := p.next()
	op, ok := operators[opTok.text]
	if !ok || opTok.kind == tokString {
		return nil, fmt.Errorf("expected an operator at byte %d, found %s", opTok.pos, describe(opTok))
	}
	if op == "strict wildcard" {
		if w := p.next(); !w.is("wildcard") {
			return nil, fmt.Errorf("expected wildcard after strict at byte %d", w.pos)
		}
	}
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, fmt.Errorf("any() holds more than one comparison, which this reader does not understand: %w", err)
	}
	return condition(f, op, v, true)
}

// unchoosable names, in words, fields a client cannot choose; nil for fields it does
// not know at all.
func unchoosable(field string) *node {
	why := func(what string) *node {
		return refused("selects by %s (%s), which a client cannot choose", what, field)
	}
	switch {
	case field == "ip.geoip.country" || field == "ip.src.country":
		return why("visitor country")
	case field == "ip.geoip.continent" || field == "ip.src.continent":
		return why("visitor continent")
	case field == "ip.geoip.asnum" || field == "ip.src.asnum":
		return why("visitor network (AS number)")
	case field == "ip.geoip.is_in_european_union" || field == "ip.src.is_in_european_union":
		return why("visitor location")
	case strings.HasPrefix(field, "ip.geoip.") || strings.HasPrefix(field, "ip.src."):
		return why("visitor location")
	case field == "ip.src":
		return why("visitor IP address")
	case field == "cf.threat_score":
		return why("threat score")
	case strings.HasPrefix(field, "cf.bot_management.") || field == "cf.client.bot" || field == "cf.verified_bot_category":
		return why("bot detection")
	case field == "http.cookie":
		return refused("tests the raw Cookie header (http.cookie); this reader sends only cookies named in http.request.cookies[\"name\"]")
	}
	return nil
}

// condition turns one comparison into a node.
func condition(f fieldRef, op string, v value, inAny bool) (*node, error) {
	if n := unchoosable(f.name); n != nil {
		return n, nil
	}
	switch f.name {
	case "http.host", "cf.zone.name":
		if f.key != nil || f.index != "" {
			return nil, fmt.Errorf("%s has no keys or indexes", f.name)
		}
		if op != "eq" && op != "in" {
			return refused("tests %s with %s; only eq and in name a host to send", f.name, op), nil
		}
		names, err := stringValues(f.name, v, op)
		if err != nil {
			return nil, err
		}
		for i, n := range names {
			names[i] = strings.TrimSuffix(strings.ToLower(n), ".")
			// An empty label (a.., ..b) names no host a client can send:
			// and one trailing dot is all a request's host may differ by.
			if names[i] == "" || strings.ContainsAny(names[i], " /:@?#") || strings.Contains(names[i], "..") || strings.HasPrefix(names[i], ".") || strings.HasSuffix(names[i], ".") {
				return refused("%s is compared with %q, which is not a host name", f.name, n), nil
			}
		}
		names = dedupe(names)
		if f.name == "http.host" {
			return &node{sel: Selector{Hosts: names}}, nil
		}
		return &node{sel: Selector{Zones: names}}, nil

	case "cf.edge.server_ip":
		if f.key != nil || f.index != "" {
			return nil, fmt.Errorf("%s has no keys or indexes", f.name)
		}
		if op != "eq" && op != "in" {
			return refused("tests %s with %s; only eq and in name an edge address to connect to", f.name, op), nil
		}
		if (op == "in") != v.set {
			return nil, fmt.Errorf("%s %s needs %s", f.name, op, map[bool]string{true: "a set {...}", false: "one address"}[op == "in"])
		}
		var ips []netip.Addr
		for _, it := range v.items {
			if it.kind != tokWord {
				return nil, fmt.Errorf("%s is compared with the string %q; addresses are written without quotes", f.name, it.text)
			}
			if strings.Contains(it.text, "/") {
				if _, err := netip.ParsePrefix(it.text); err == nil {
					return refused("selects by an edge address range (%s in %s), and which address to connect to is not known", f.name, it.text), nil
				}
			}
			ip, err := netip.ParseAddr(it.text)
			if err != nil || ip.Zone() != "" {
				return nil, fmt.Errorf("%s is compared with %q, which is not an IP address", f.name, it.text)
			}
			ip = ip.Unmap()
			if !slices.Contains(ips, ip) {
				ips = append(ips, ip)
			}
		}
		return &node{sel: Selector{EdgeIPs: ips}}, nil

	case "http.request.cookies", "http.request.headers":
		what := map[string]string{"http.request.cookies": "cookie", "http.request.headers": "header"}[f.name]
		if f.key == nil {
			return nil, fmt.Errorf("%s needs a %s name, as in %s[\"name\"][*]", f.name, what, f.name)
		}
		switch {
		case inAny && f.index == "*", !inAny && f.index == "0":
		case f.index == "*":
			return nil, fmt.Errorf("%s[%q][*] outside any() is not understood", f.name, *f.key)
		default:
			return refused("tests %s[%q][%s]; only the first value ([0]) or any value ([*]) can be sent", f.name, *f.key, f.index), nil
		}
		if op != "eq" {
			return refused("tests the %s %q with %s; only eq names a value to send", what, *f.key, op), nil
		}
		if len(v.items) != 1 || v.set || v.items[0].kind != tokString {
			return nil, fmt.Errorf("the %s %q is compared with something other than one string", what, *f.key)
		}
		val := v.items[0].text
		if what == "cookie" {
			if why := cookieProblem(*f.key, val); why != "" {
				return refused("%s", why), nil
			}
			return &node{sel: Selector{Cookies: map[string]string{*f.key: val}}}, nil
		}
		name, why := headerProblem(*f.key, val)
		if why != "" {
			return refused("%s", why), nil
		}
		return &node{sel: Selector{Headers: map[string]string{name: val}}}, nil
	}
	return nil, fmt.Errorf("uses the field %s, which this reader does not understand", f.name)
}

func stringValues(field string, v value, op string) ([]string, error) {
	if (op == "in") != v.set {
		return nil, fmt.Errorf("%s %s needs %s", field, op, map[bool]string{true: "a set {...}", false: "one string"}[op == "in"])
	}
	var out []string
	for _, it := range v.items {
		if it.kind != tokString {
			return nil, fmt.Errorf("%s is compared with %q, which is not a string", field, it.text)
		}
		out = append(out, it.text)
	}
	return out, nil
}

func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// cookieProblem: Cloudflare URL-decodes cookie names and values; a name or value with
// '%' or a character a Cookie header cannot carry would have to be encoded, and the
// reader does not guess how.
func cookieProblem(name, val string) string {
	if name == "" || !isToken(name) {
		return fmt.Sprintf("the cookie name %q cannot be sent in a Cookie header as it is", name)
	}
	for i := 0; i < len(val); i++ {
		c := val[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' || c == '%' {
			return fmt.Sprintf("the cookie %s's value cannot be sent in a Cookie header as it is", name)
		}
	}
	return ""
}

// forbiddenHeaders would change how the request is made or collide with what the
// prober itself sends; a selector naming one is not sent.
var forbiddenHeaders = []string{"Host", "Cookie", "Content-Length", "Transfer-Encoding", "Connection",
	"Te", "Trailer", "Upgrade", "Keep-Alive", "Expect", "Proxy-Connection", "Proxy-Authorization"}

// headerProblem canonicalises a header name and says why it cannot be sent ("" if it can).
func headerProblem(name, val string) (string, string) {
	if name == "" || !isToken(name) {
		return "", fmt.Sprintf("the header name %q is not a valid header name", name)
	}
	if name != strings.ToLower(name) {
		// Cloudflare's map keys are lower-cased header names: this never matches.
		return "", fmt.Sprintf("names the header %q with capitals; http.request.headers keys are lower case, so it never matches a request", name)
	}
	canon := textproto.CanonicalMIMEHeaderKey(name)
	if slices.Contains(forbiddenHeaders, canon) {
		return "", fmt.Sprintf("selects by the %s header, which the prober does not set", canon)
	}
	if val != strings.TrimSpace(val) {
		return "", fmt.Sprintf("the header %s's value starts or ends with spaces, which HTTP drops", canon)
	}
	for i := 0; i < len(val); i++ {
		if c := val[i]; c < ' ' && c != '\t' || c == 0x7f {
			return "", fmt.Sprintf("the header %s's value %q has control characters", canon, val)
		}
	}
	return canon, ""
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}

// reduce turns the tree into one selector, or the reason why none can be sent.
func reduce(n *node) (Selector, string) {
	switch n.op {
	case "and":
		l, why := reduce(n.l)
		if why != "" {
			return Selector{}, why
		}
		r, why := reduce(n.r)
		if why != "" {
			return Selector{}, why
		}
		return merge(l, r)
	case "or":
		l, lwhy := reduce(n.l)
		r, rwhy := reduce(n.r)
		switch {
		case lwhy != "" && rwhy != "":
			if lwhy == rwhy {
				return Selector{}, lwhy
			}
			return Selector{}, lwhy + "; and " + rwhy
		case lwhy != "":
			return r, ""
		case rwhy != "":
			return l, ""
		}
		return union(l, r), ""
	}
	return n.sel, n.why
}

// merge is `and`: both selectors' conditions at once.
func merge(a, b Selector) (Selector, string) {
	out := Selector{}
	var why string
	if out.Cookies, why = mergeMap("cookie", a.Cookies, b.Cookies); why != "" {
		return Selector{}, why
	}
	if out.Headers, why = mergeMap("header", a.Headers, b.Headers); why != "" {
		return Selector{}, why
	}
	var ok bool
	if out.EdgeIPs, ok = intersect(a.EdgeIPs, b.EdgeIPs); !ok {
		return Selector{}, "asks for an edge IP that is in two sets with nothing in common"
	}
	if out.Hosts, ok = intersect(a.Hosts, b.Hosts); !ok {
		return Selector{}, "asks for a host that is in two lists with nothing in common"
	}
	if out.Zones, ok = intersect(a.Zones, b.Zones); !ok {
		return Selector{}, "asks for a zone that is in two lists with nothing in common"
	}
	if len(out.Hosts) > 0 && len(out.Zones) > 0 {
		var hosts []string
		for _, h := range out.Hosts {
			if slices.ContainsFunc(out.Zones, func(z string) bool { return inZone(h, z) }) {
				hosts = append(hosts, h)
			}
		}
		if len(hosts) == 0 {
			return Selector{}, "asks for a host outside the zone it names"
		}
		out.Hosts = hosts
	}
	return out, ""
}

func mergeMap(what string, a, b map[string]string) (map[string]string, string) {
	if len(a) == 0 && len(b) == 0 {
		return nil, ""
	}
	out := maps.Clone(a)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range b {
		if old, ok := out[k]; ok && old != v {
			return nil, fmt.Sprintf("asks for the %s %s to have two different values at once", what, k)
		}
		out[k] = v
	}
	return out, ""
}

// intersect is `and` of two "one of these (empty: any)" lists; false when nothing is left.
func intersect[T comparable](a, b []T) ([]T, bool) {
	switch {
	case len(a) == 0:
		return slices.Clone(b), true
	case len(b) == 0:
		return slices.Clone(a), true
	}
	var out []T
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out, len(out) > 0
}

// union is `or` of two sendable selectors: either alone satisfies the expression.
// When they differ only in one of hosts, zones or edge IPs, either is allowed;
// otherwise the left one is sent.
func union(a, b Selector) Selector {
	sameCookies := maps.Equal(a.Cookies, b.Cookies)
	sameHeaders := maps.Equal(a.Headers, b.Headers)
	sameIPs, sameHosts, sameZones := sameSet(a.EdgeIPs, b.EdgeIPs), sameSet(a.Hosts, b.Hosts), sameSet(a.Zones, b.Zones)
	if !sameCookies || !sameHeaders {
		return a
	}
	switch {
	case sameIPs && sameHosts && sameZones:
		return a
	case sameIPs && sameHosts:
		a.Zones = either(a.Zones, b.Zones)
	case sameIPs && sameZones:
		a.Hosts = either(a.Hosts, b.Hosts)
	case sameHosts && sameZones:
		a.EdgeIPs = either(a.EdgeIPs, b.EdgeIPs)
	}
	return a
}

// either is `or` of two "one of these (empty: any)" lists.
func either[T comparable](a, b []T) []T {
	if len(a) == 0 || len(b) == 0 {
		return nil
	}
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func sameSet[T comparable](a, b []T) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}
