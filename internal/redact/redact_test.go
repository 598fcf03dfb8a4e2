package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// The cases of the redactor that internal/app had: secrets in any ASCII
// case, as they are and as a workflow command escapes them, other text
// left alone.
func TestString(t *testing.T) {
	t.Parallel()
	const tok, pct = "AbCdEf-0123456789", "p%40ss-Word"
	r := New(tok, pct, "ab", "AbCdEf-0123456789-longer")
	tests := []struct{ in, want string }{
		{"", ""},
		{"nothing here", "nothing here"},
		{"Bearer " + tok, "Bearer ***"},
		{"host " + strings.ToLower(tok) + ".example.com", "host ***.example.com"},
		{"HOST " + strings.ToUpper(tok) + ".EXAMPLE.COM", "HOST ***.EXAMPLE.COM"},
		{tok + tok + " " + tok, "****** ***"},
		{"the longer one: AbCdEf-0123456789-LONGER!", "the longer one: ***!"},
		{"pw " + pct + " and escaped " + strings.ReplaceAll(pct, "%", "%25") + " and P%40SS-word", "pw *** and escaped *** and ***"},
		{"ab: too short to mask", "ab: too short to mask"},
		{"near miss AbCdEf-0123 kept", "near miss AbCdEf-0123 kept"},
		{"a part: AbCdEf-012345678 hidden", "a part: *** hidden"},
		{"cut: AbCdEf-01234…", "cut: ***…"},
		{"split: 123456789 and AbCdEf-01234", "split: 123456789 and ***"},
		{"non-ASCII kept: é " + tok + " ü", "non-ASCII kept: é *** ü"},
		{"percent signs 100% kept, %zz too, \\ and + as well", "percent signs 100% kept, %zz too, \\ and + as well"},
	}
	for _, tt := range tests {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := New().String("x " + tok); got != "x "+tok {
		t.Errorf("no secrets: %q", got)
	}
	var none *Redactor
	if got := none.String("x " + tok); got != "x "+tok || none.Contains(tok) {
		t.Errorf("nil Redactor: %q", got)
	}
}

// Every encoding a server or a renderer may give a secret is hidden.
func TestStringEncodings(t *testing.T) {
	t.Parallel()
	const email, token = "Someone+ci@Example.com", "tok_0123456789-abc/DEF=="
	r := New(email, token)
	js := func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) }
	tests := []struct{ name, in string }{
		{"plain", email},
		{"lower case", strings.ToLower(email)},
		{"upper case", strings.ToUpper(token)},
		{"JSON", js(token)},
		{"JSON, every byte escaped", `\u0053\u006f\u006D\u0065one+ci@Example.com`},
		{"JSON slash", strings.ReplaceAll(token, "/", `\/`)},
		{"query-escaped", url.QueryEscape(email)},
		{"query-escaped token", url.QueryEscape(token)},
		{"path-escaped", url.PathEscape(email)},
		{"%40, lower hex", "someone%2bci%40example.com"},
		{"doubly encoded", "Someone%252Bci%2540Example.com"},
		{"workflow command", strings.ReplaceAll(url.QueryEscape(email), "%", "%25")},
		{"Markdown", `Someone\+ci\@Example\.com`},
		{"space as +", strings.ReplaceAll(token, "-", "+")}, // not a form: only the part before it goes
	}
	for _, tt := range tests {
		in := "before " + tt.in + " after"
		got := r.String(in)
		want := "before *** after"
		if tt.name == "space as +" {
			want = "before ***+abc/DEF== after"
		}
		if got != want {
			t.Errorf("%s: String(%q) = %q, want %q", tt.name, in, got, want)
		}
	}
}

// Base64 of a secret depends on where it starts in the encoded bytes: at
// each alignment, in each alphabet, padded or not, the part that the
// secret determines is hidden, and no longer piece of the encoding stays.
func TestStringBase64(t *testing.T) {
	t.Parallel()
	const secret = "c0ffee-key_0123456789?~~>"
	r := New(secret)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		for _, prefix := range []string{"", "u", "us", "user:", "Basic x:"} {
			for _, suffix := range []string{"", "!", "\x00\xff"} {
				e := enc.EncodeToString([]byte(prefix + secret + suffix))
				got := r.String("Authorization: Basic " + e)
				if !strings.Contains(got, Mask) {
					t.Errorf("base64 of %q: %q not redacted", prefix+secret+suffix, got)
					continue
				}
				// What stays around the mask is at most the characters that
				// mix the secret's bits with its neighbours', plus the
				// encoding of the prefix and suffix.
				kept := len(got) - len("Authorization: Basic ") - len(Mask)
				if max := enc.EncodedLen(len(prefix)+len(suffix)) + 6; kept > max {
					t.Errorf("base64 of %q: %q keeps %d characters, want at most %d", prefix+secret+suffix, got, kept, max)
				}
			}
		}
	}
	// URL-encoded base64, as in a query string.
	e := url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("x" + secret)))
	if got := r.String("?auth=" + e); !strings.Contains(got, Mask) {
		t.Errorf("URL-encoded base64 %q: %q", e, got)
	}
}

func TestContains(t *testing.T) {
	t.Parallel()
	r := New("Secret-Value-1")
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"", false},
		{"secret-valu", false},
		{"a part: secret-value", true},
		{"xx SECRET-VALUE-1 yy", true},
		{"https://example.com/secret%2Dvalue%2D1", true},
		{base64.StdEncoding.EncodeToString([]byte("ab Secret-Value-1")), true},
	} {
		if got := r.Contains(tt.in); got != tt.want {
			t.Errorf("Contains(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// The Writer finds a secret written in pieces, holds back only an
// incomplete line, and serialises concurrent writes.
func TestWriter(t *testing.T) {
	t.Parallel()
	const tok = "tok-0123456789"
	var out bytes.Buffer
	w := New(tok).Writer(&out)
	for _, p := range []string{"a tok-01", "23456789 b\nsecond ", tok[:3], tok[3:], "\n", "last ", tok} {
		if n, err := write(w, p); err != nil || n != len(p) {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	if got, want := out.String(), "a *** b\nsecond ***\n"; got != want {
		t.Errorf("before Flush: %q, want %q", got, want)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "a *** b\nsecond ***\nlast ***"; got != want {
		t.Errorf("after Flush: %q, want %q", got, want)
	}

	// A line longer than the bound is written in pieces, not held forever.
	out.Reset()
	long := strings.Repeat("x", maxPending+1)
	if _, err := write(w, long); err != nil {
		t.Fatal(err)
	}
	if out.Len() != len(long) {
		t.Errorf("a %d-byte line without newline: %d bytes written", len(long), out.Len())
	}

	// Concurrent lines stay whole.
	out.Reset()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fmt.Fprintf(w, "line %d %s\n", i, tok)
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 50 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "line ") || !strings.HasSuffix(l, " ***") {
			t.Errorf("line %q", l)
		}
	}
}

func write(w *Writer, s string) (int, error) { return w.Write([]byte(s)) }

// asciiCase maps the case of ASCII letters only: non-ASCII letters of a
// secret are matched as they are.
func asciiCase(s string, to func(rune) rune) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x80 {
			b[i] = byte(to(rune(c)))
		}
	}
	return string(b)
}

// forms are the encodings of a secret that must never survive, computed
// with the standard library rather than with the redactor's own rules.
func forms(s string) map[string]string {
	js, _ := json.Marshal(s)
	f := map[string]string{
		"plain":         s,
		"lower":         asciiCase(s, unicode.ToLower),
		"upper":         asciiCase(s, unicode.ToUpper),
		"json":          string(js[1 : len(js)-1]),
		"query-escaped": url.QueryEscape(s),
		"path-escaped":  url.PathEscape(s),
		"command":       strings.ReplaceAll(s, "%", "%25"),
		"hex":           hex.EncodeToString([]byte(s)),
		"HEX":           strings.ToUpper(hex.EncodeToString([]byte(s))),
	}
	for k := range 3 {
		src := strings.Repeat("\x00", k) + s
		for name, enc := range map[string]*base64.Encoding{"std": base64.StdEncoding, "url": base64.URLEncoding} {
			e := enc.EncodeToString([]byte(src))
			from, to := (8*k+5)/6, 8*(k+len(s))/6
			if to-from >= 6 {
				f[fmt.Sprintf("base64 %s at %d", name, k)] = e[from:to]
			}
		}
	}
	return f
}

func TestNoFormSurvives(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"lEaK-t0ken_0123456789.abcdefghijklmnopq", "deadbeefcafef00d0123456789abcdef01234", "leak.t-e_st+ci@example.com", "p%40ss w<>rd&\"é"} {
		r := New(s)
		for name, f := range forms(s) {
			got := r.String("[" + f + "]")
			if strings.Contains(got, f) {
				t.Errorf("%s form of %q survives: %s", name, s, got)
			}
		}
	}
}

// FuzzString: whatever surrounds a secret, no form of it survives, and text
// without a secret is left alone.
func FuzzString(f *testing.F) {
	f.Add("tok-0123456789", "Bearer ", " end")
	f.Add("someone+ci@example.com", "email=", "&x")
	f.Add("p%40ss-Word", "%25", "%")
	f.Add("aaaaa", "aaaa", "aaaa")
	f.Add("\\\\\\\\\\", "\\", "\\u005c")
	f.Fuzz(func(t *testing.T, secret, before, after string) {
		if len(secret) < MinLength || len(secret) > 200 || strings.Contains(secret, Mask[:1]) {
			return // the mask itself could spell a secret made of *
		}
		r := New(secret)
		for name, form := range forms(secret) {
			got := r.String(before + form + after)
			if strings.Contains(got, form) {
				t.Fatalf("%s form %q of %q survives in %q", name, form, secret, got)
			}
			if name == "plain" && strings.Contains(lowerASCII(got), lowerASCII(secret)) {
				t.Fatalf("%q survives in another case in %q", secret, got)
			}
		}
		if !r.Contains(before+secret+after) || r.String(before+secret+after) == before+secret+after {
			t.Fatalf("%q not found in %q", secret, before+secret+after)
		}
	})
}

func BenchmarkString(b *testing.B) {
	r := New("lEaK-t0ken_0123456789.abcdefghijklmnopq", "deadbeefcafef00d0123456789abcdef01234", "leak.t-e_st+ci@example.com")
	url := "https://www.example.com/assets/0123456789/app.min.js"
	log := strings.Repeat("::debug::POST /client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache 200 12ms\n", 1000)
	b.Run("URL", func(b *testing.B) {
		for range b.N {
			_ = r.String(url)
		}
	})
	b.Run("log", func(b *testing.B) {
		b.SetBytes(int64(len(log)))
		for range b.N {
			_ = r.String(log)
		}
	})
}

// Add hides more secrets from then on, in Writers made before too.
func TestAdd(t *testing.T) {
	t.Parallel()
	r := New("first-secret-0123")
	var b bytes.Buffer
	w := r.Writer(&b)
	r.Add("later-secret-4567")
	if _, err := io.WriteString(w, "a first-secret-0123 b later-secret-4567 c\n"); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "a *** b *** c\n" {
		t.Errorf("got %q", got)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { r.Add("more-secret-89abc"); _ = r.String("more-secret-89abc") })
	}
	wg.Wait()
	if got := r.String("more-secret-89abc"); got != Mask {
		t.Errorf("got %q", got)
	}
}

// Every run of FragmentLength characters of a secret is hidden, the last
// one included.
func TestEveryFragmentHidden(t *testing.T) {
	t.Parallel()
	const secret = "WhovCJQX4_gnuBIPW3-f"
	r := New(secret)
	for i := 0; i+FragmentLength <= len(secret); i++ {
		w := secret[i : i+FragmentLength]
		if got := r.String("x " + w + " y"); got != "x *** y" {
			t.Errorf("String(%q) = %q", w, got)
		}
	}
}
