package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// An environment selected by a credential header: verification sends the
// value (that is how the environment selects the request), the action
// masks it before it could be printed, and no summary, log line or output
// shows any part of it.
func TestSelectorCredentialsAreSecrets(t *testing.T) {
	t.Parallel()
	const cred = "s3l3ct0r-cr3d3nt1al-0123456789"
	const zone, prodRef, secureRef = "a17a0000000000000000000000000000", "a17a00000000000000000000000001", "a17a00000000000000000000000002"
	var mu sync.Mutex
	var auths []string
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("CF-Cache-Status", "MISS")
	}))
	t.Cleanup(site.Close)
	for _, mode := range []string{"action", "cli"} {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t, emulator.Options{})
			h.em.AddZone(emulator.Zone{ID: zone, Name: "auth.example", AccountID: emulator.ExampleAccountID, Versioning: true,
				Environments: []emulator.Environment{
					{Name: "Production", Ref: prodRef, Expression: `(cf.zone.name eq "auth.example")`},
					{Name: "Secure", Ref: secureRef, Expression: `(any(http.request.headers["authorization"][*] eq "Bearer ` + cred + `")) and (cf.zone.name eq "auth.example")`},
				}})
			var r run
			if mode == "action" {
				r = h.action(h.defaults(map[string]string{"zone": zone, "environment": "Secure", "files": "https://auth.example/a", "verify": "true", "edge-url": site.URL}),
					map[string]string{"RUNNER_DEBUG": "1"})
				if !strings.Contains(r.stdout, "::add-mask::"+cred+"\n") || !strings.Contains(r.stdout, "::add-mask::Bearer "+cred+"\n") {
					t.Errorf("the selector's credential is not masked:\n%s", r.stdout)
				}
			} else {
				r = h.cli([]string{"--zone", zone, "--environment", "Secure", "--files", "https://auth.example/a", "--verify", "--edge-url", site.URL, "--debug", "--json"},
					map[string]string{"CLOUDFLARE_API_TOKEN": testToken, "CLOUDFLARE_BASE_URL": h.srv.URL}, "")
			}
			if r.code != ExitOK {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			var kept []string
			for _, l := range strings.Split(r.stdout, "\n") {
				if !strings.HasPrefix(l, "::add-mask::") {
					kept = append(kept, l)
				}
			}
			all := strings.Join(kept, "\n") + r.stderr + r.summary
			for _, v := range r.outputs {
				all += v
			}
			for i := 0; i+12 <= len(cred); i++ {
				if strings.Contains(all, cred[i:i+12]) {
					t.Fatalf("%q of the selector's credential printed:\n%s", cred[i:i+12], all)
				}
			}
			if !strings.Contains(all, "header Authorization: ***") {
				t.Errorf("the selector is not described:\n%s", all)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(auths) == 0 {
		t.Error("verification requested nothing")
	}
	for _, a := range auths {
		if a != "Bearer "+cred {
			t.Errorf("Authorization %q reached the site; want the selector's", a)
		}
	}
}
