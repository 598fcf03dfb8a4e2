package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/purge"
	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
)

// roundTrip is an API server in memory.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzSecretNeverPrinted: whatever a server answers about a token (the
// token anywhere in its messages, split between two errors[] entries,
// broken up by NULs or zero-width characters, in a Location), no
// redact.FragmentLength characters of it in a row are in anything the run
// prints or writes: the log (the action's and the CLI's), the summary, the
// CLI's report, the outputs. It runs the whole path: the client's reading
// of the answer (cleaned, redacted, cut), the batch's error, the result
// redacted, the report's cuts and escapes, the loggers' defusing.
func FuzzSecretNeverPrinted(f *testing.F) {
	f.Add("sEcRetT0ken_0123456789-abcdefghijklmnopq", "bad token: ", 0, uint8(0), 0, false)
	f.Add("0123456789abcdefghijklmnopqrstuvwxyzABCD", strings.Repeat("m", 990), 976, uint8(0), 2000, false)
	f.Add("0123456789abcdefghijklmnopqrstuvwxyzABCD", strings.Repeat("m", 990), 976, uint8(1), 996, false)
	f.Add("x", "##[::\u200b\x00", 3, uint8(2), 20, true)
	f.Add("tok", strings.Repeat("é", 300), 150, uint8(3), 160, true)
	f.Fuzz(func(t *testing.T, seed, text string, at int, sep uint8, split int, redirect bool) {
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
		seps := []string{"", "\u200b", "\x00", "\u2060", "\ufeff", "\x1b", "##["}
		broken := strings.Join(strings.Split(secret, ""), seps[int(sep)%len(seps)])
		at = min(max(at, 0), len(text))
		whole := text[:at] + broken + text[at:]
		split = min(max(split, 0), len(whole))
		body, _ := json.Marshal(map[string]any{"success": false, "errors": []map[string]any{
			{"code": 1, "message": whole[:split]}, {"code": 2, "message": whole[split:]},
		}})

		var log bytes.Buffer
		red := redact.New(secret)
		alog := actionLog{a: githubactions.New(githubactions.WithWriter(&log), githubactions.WithGetenv(func(string) string { return "" })), red: red}
		tlog := textLog{w: &log, debug: true, red: red}
		client := cloudflare.New(cloudflare.Options{
			BaseURL:     "http://api.invalid/client/v4",
			Credentials: cloudflare.Credentials{Token: secret},
			HTTPClient: &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
				res := &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(body)), Request: r}
				if redirect {
					res.StatusCode, res.Body = 302, io.NopCloser(strings.NewReader(""))
					res.Header.Set("Location", "https://proxy.example/"+whole)
				}
				return res, nil
			})},
			Retry:  retry.Default(0),
			Sleep:  func(context.Context, time.Duration) error { return nil },
			Debugf: alog.Debugf,
		})
		batches := plan.Build(config.Items{Tags: []string{"a"}}, 30)
		r := &result.Result{Environments: result.Layout([]result.Environment{{Name: "Production"}}, plan.Layout(batches))}
		purge.Run(context.Background(), client, "023e105f4ecef8ad9ca31a8372d0c353", batches, r.Environments, purge.Options{})
		r.Finish(0)
		redactResult(red, r)
		printLines(alog, report.Log(r))
		printLines(tlog, report.Log(r))
		printLines(tlog, report.FailureLines(r, "the report"))
		out := map[string]string{"log": log.String(), "summary": red.String(report.Summary(r)), "report": safeLine(red, report.Human(r)), "json": string(report.JSON(r))}
		for _, o := range report.Outputs(r) {
			out["output "+o.Name] = red.String(o.Value)
		}
		for where, s := range out {
			low := strings.ToLower(s)
			for i := 0; i+redact.FragmentLength <= len(secret); i++ {
				if w := strings.ToLower(secret[i : i+redact.FragmentLength]); strings.Contains(low, w) {
					t.Fatalf("%s shows %q of the token %q:\n%s", where, w, secret, s)
				}
			}
		}
	})
}
