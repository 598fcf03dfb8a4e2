package cloudflare

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
)

const echoedToken = "sEcRetT0ken_0123456789-abcdefghijklmnopq"

// shows returns the first run of redact.FragmentLength characters of
// secret that s holds, in any ASCII case, or "".
func shows(s, secret string) string {
	s, secret = strings.ToLower(s), strings.ToLower(secret)
	for i := 0; i+redact.FragmentLength <= len(secret); i++ {
		if w := secret[i : i+redact.FragmentLength]; strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

// A server that echoes the token where a message is cut, splits it
// between two errors, or breaks it with zero-width characters or NULs,
// gets no part of it printed: the text is cleaned, then the token hidden,
// then the text cut.
func TestServerTextHidesTheToken(t *testing.T) {
	t.Parallel()
	spaced := func(sep string) string {
		return strings.Join(strings.Split(echoedToken, ""), sep)
	}
	msg := func(texts ...string) string {
		var errs []map[string]any
		for i, s := range texts {
			errs = append(errs, map[string]any{"code": 9000 + i, "message": s})
		}
		b, _ := json.Marshal(map[string]any{"success": false, "errors": errs})
		return string(b)
	}
	tests := []struct {
		name string
		a    answer
	}{
		{"the token where the message is cut", jsonAnswer(400, msg(strings.Repeat("m", maxMessage-24)+echoedToken))},
		{"the token split across two errors", jsonAnswer(400, msg("bad token "+echoedToken[:20], echoedToken[20:]+" end"))},
		{"zero-width spaces between its characters", jsonAnswer(400, msg("bad token "+spaced("\u200b")))},
		{"NULs between its characters", jsonAnswer(400, msg("bad token "+spaced("\x00")))},
		{"word joiners between its characters", jsonAnswer(400, msg("bad token "+spaced("\u2060")))},
		{"the token where a Location is cut", answer{status: 302, headers: map[string]string{"Location": "https://proxy.example/" + strings.Repeat("p", 170) + echoedToken}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := server(t, tt.a)
			rec := &recorder{}
			p := retry.Default(0)
			c := New(Options{BaseURL: srv.URL + "/client/v4", Credentials: Credentials{Token: echoedToken}, Retry: p, Sleep: rec.sleep, Debugf: rec.debugf, RequestTimeout: 30 * time.Second})
			_, _, err := c.Purge(context.Background(), zoneID, "", tags)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Purge: %v", err)
			}
			for what, s := range map[string]string{"Error": e.Error(), "Message": e.Message(), "Message, spaces dropped": strings.ReplaceAll(e.Message(), " ", "")} {
				if w := shows(s, echoedToken); w != "" {
					t.Errorf("%s shows %q of the token: %q", what, w, s)
				}
			}
		})
	}
}

// FuzzServerTextHidesSecrets: whatever a server sends around a token,
// wherever the token sits and whatever is between its characters, no
// redact.FragmentLength characters of it in a row are printed in any text
// taken from the answer: its error messages (each cut, or joined), a
// Location, or a Go error quoting them.
func FuzzServerTextHidesSecrets(f *testing.F) {
	f.Add("sEcRetT0ken_0123456789-abcdefghijklmnopq", "bad token: ", 0, uint8(0), 0)
	f.Add("0123456789abcdefghijklmnopqrstuvwxyzABCD", strings.Repeat("m", 990), 976, uint8(1), 20)
	f.Add("x", "\u200b\x00##[", 3, uint8(2), 7)
	f.Fuzz(func(t *testing.T, seed, text string, at int, sep uint8, split int) {
		// The secret is of the token alphabet, as config makes sure.
		const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
		var sb strings.Builder
		for i := 0; sb.Len() < 20 || i < len(seed) && sb.Len() < 64; i++ {
			c := byte(i * 7)
			if i < len(seed) {
				c = seed[i]
			}
			sb.WriteByte(alphabet[int(c)%len(alphabet)])
		}
		secret := sb.String()
		red := redact.New(secret)
		seps := []string{"", "\u200b", "\x00", "\u2060", "\ufeff", "\x1b", "\u00ad"}
		broken := strings.Join(strings.Split(secret, ""), seps[int(sep)%len(seps)])
		at = min(max(at, 0), len(text))
		whole := text[:at] + broken + text[at:]
		split = min(max(split, 0), len(whole))
		raw, _ := json.Marshal(map[string]any{"success": false, "errors": []map[string]any{
			{"code": 1, "message": whole[:split]}, {"code": 2, "message": whole[split:]}, {"code": 3, "message": whole},
		}})
		b, _ := parseBody(raw, red)
		e := &Error{Step: StepPurge, Status: 400, Details: b.details, red: red}
		goErr := &Error{Step: StepPurge, Err: fmt.Errorf("transport: %s", whole), red: red}
		res := &http.Response{StatusCode: 302, Header: http.Header{"Location": {whole}}}
		_, _, loc := judge(request{step: StepPurge}, res, nil, nil, context.Background(), context.Background(), red)
		for what, s := range map[string]string{
			"Error": e.Error(), "Message": e.Message(), "Go error": goErr.Error(), "Go error message": goErr.Message(),
			"Location": loc.Error(), "debug": hide(red, whole, maxMessage),
		} {
			if w := shows(s, secret); w != "" {
				t.Fatalf("%s shows %q of %q: %q", what, w, secret, s)
			}
		}
	})
}
