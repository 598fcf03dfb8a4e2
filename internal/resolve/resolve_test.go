package resolve

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
)

// fakeAPI is an in-memory API that counts calls.
type fakeAPI struct {
	zones    []cloudflare.Zone
	envs     []cloudflare.Environment
	envsErr  error
	envCalls int
}

func (f *fakeAPI) FindZones(_ context.Context, name, accountID string) ([]cloudflare.Zone, error) {
	var out []cloudflare.Zone
	for _, z := range f.zones {
		if accountID == "" || z.AccountID == accountID {
			out = append(out, z)
		}
	}
	return out, nil
}

func (f *fakeAPI) Environments(context.Context, string) ([]cloudflare.Environment, error) {
	f.envCalls++
	return f.envs, f.envsErr
}

var docsEnvs = []cloudflare.Environment{
	{Name: "Production", Ref: "12abcd3e45f678940a573f51834a54"},
	{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c"},
	{Name: "Development", Ref: "49f0bad299687c62334182178bfd"},
}

func TestTargets(t *testing.T) {
	t.Parallel()
	staging := Target{Name: "Staging", Ref: "5d41402abc4b2a76b9719d911017c"}
	dev := Target{Name: "Development", Ref: "49f0bad299687c62334182178bfd"}
	prod := Target{Name: "Production"}
	tests := []struct {
		name      string
		envs      []cloudflare.Environment
		asked     []string
		want      []Target
		wantCalls int
		wantErr   string
	}{
		{name: "nothing is Production, no call", asked: nil, want: []Target{prod}},
		{name: "Production by name, no call", asked: []string{"production"}, want: []Target{prod}},
		{name: "by name", envs: docsEnvs, asked: []string{"Staging"}, want: []Target{staging}, wantCalls: 1},
		{name: "by ref", envs: docsEnvs, asked: []string{"49f0bad299687c62334182178bfd"}, want: []Target{dev}, wantCalls: 1},
		{name: "case-insensitive", envs: docsEnvs, asked: []string{"STAGING"}, want: []Target{staging}, wantCalls: 1},
		{name: "Production's ref uses the zone endpoint", envs: docsEnvs, asked: []string{"12abcd3e45f678940a573f51834a54"}, want: []Target{prod}, wantCalls: 1},
		{name: "several, one call, deduplicated", envs: docsEnvs, asked: []string{"Staging", "Development", "5d41402abc4b2a76b9719d911017c", "Production"}, want: []Target{staging, dev, prod}, wantCalls: 1},
		{name: "exact name wins over case-insensitive", envs: append([]cloudflare.Environment{{Name: "staging", Ref: "lower"}}, docsEnvs...), asked: []string{"Staging"}, want: []Target{staging}, wantCalls: 1},
		{name: "case-insensitive must be unique", envs: []cloudflare.Environment{{Name: "staging", Ref: "a"}, {Name: "STAGING", Ref: "b"}}, asked: []string{"Staging"}, wantErr: "matches 2 environments (refs a, b): give the ref instead", wantCalls: 1},
		{name: "duplicate names", envs: []cloudflare.Environment{{Name: "Staging", Ref: "a"}, {Name: "Staging", Ref: "b"}}, asked: []string{"Staging"}, wantErr: "matches 2 environments", wantCalls: 1},
		{name: "unknown lists the zone's", envs: docsEnvs, asked: []string{"Preview"}, wantErr: `environment "Preview" is not in the zone; its environments are: Production (ref 12abcd3e45f678940a573f51834a54), Staging (ref 5d41402abc4b2a76b9719d911017c), Development (ref 49f0bad299687c62334182178bfd)`, wantCalls: 1},
		{name: "empty list means no versioning", envs: nil, asked: []string{"Staging"}, wantErr: "zone versioning is not enabled", wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := &fakeAPI{envs: tt.envs}
			got, err := Targets(context.Background(), api, "zone", false, tt.asked)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want a configuration error containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			if api.envCalls != tt.wantCalls {
				t.Errorf("environments calls = %d, want %d", api.envCalls, tt.wantCalls)
			}
		})
	}
}

func TestTargetsVersioningErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantConfig bool
		zoneFound  bool
	}{
		{"10001 means no versioning", &cloudflare.Error{Step: cloudflare.StepEnvironments, Status: 400, Details: []cloudflare.Detail{{Code: 10001, Message: "Zone versioning is not enabled"}}}, true, false},
		{"permission stays a permission error", &cloudflare.Error{Step: cloudflare.StepEnvironments, Status: 403, Details: []cloudflare.Detail{{Code: 10000, Message: "Authentication error"}}}, false, false},
		{"5xx stays an API failure", &cloudflare.Error{Step: cloudflare.StepEnvironments, Status: 503}, false, false},
		{"network stays a network failure", &cloudflare.Error{Step: cloudflare.StepEnvironments, Err: errors.New("connection refused")}, false, false},
		{"no route for a zone ID given: a refusal", &cloudflare.Error{Step: cloudflare.StepEnvironments, Status: 404, Details: []cloudflare.Detail{{Code: 7003, Message: "Could not route"}}}, false, false},
		{"no route for a zone found by name: no versioning", &cloudflare.Error{Step: cloudflare.StepEnvironments, Status: 404, Details: []cloudflare.Detail{{Code: 7003, Message: "Could not route"}}}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Targets(context.Background(), &fakeAPI{envsErr: tt.err}, "zone", tt.zoneFound, []string{"Staging"})
			if got := errors.Is(err, ErrConfig); got != tt.wantConfig {
				t.Errorf("errors.Is(%v, ErrConfig) = %v, want %v", err, got, tt.wantConfig)
			}
		})
	}
}

func TestZone(t *testing.T) {
	t.Parallel()
	one := cloudflare.Zone{ID: "z1", Name: "example.com", AccountID: "a1", AccountName: "One"}
	two := cloudflare.Zone{ID: "z2", Name: "example.com", AccountID: "a2", AccountName: "Two"}
	api := &fakeAPI{zones: []cloudflare.Zone{one, two}}

	if _, err := Zone(context.Background(), api, "example.com", ""); err == nil || !errors.Is(err, ErrConfig) ||
		!strings.Contains(err.Error(), `"One" (account-id a1), "Two" (account-id a2); set account-id`) {
		t.Errorf("ambiguous: %v", err)
	}
	if z, err := Zone(context.Background(), api, "example.com", "a2"); err != nil || z != two {
		t.Errorf("with account-id: %v, %v", z, err)
	}
	if _, err := Zone(context.Background(), &fakeAPI{}, "example.com", ""); err == nil || !errors.Is(err, ErrConfig) {
		t.Errorf("not found: %v", err)
	}
}

// A zone name that matches no zone says what the user most likely meant:
// the zone of a host, a zone a letter away, the zones the token sees.
func TestZoneNotFound(t *testing.T) {
	t.Parallel()
	zone := func(name string) cloudflare.Zone {
		return cloudflare.Zone{ID: "z-" + name, Name: name, AccountID: "a1"}
	}
	var many []cloudflare.Zone
	for _, n := range []string{"a.org", "b.org", "c.org", "d.org", "e.org", "f.org"} {
		many = append(many, zone(n))
	}
	tests := []struct {
		name  string
		zones []cloudflare.Zone
		ask   string
		want  string
	}{
		{"a host of the zone", []cloudflare.Zone{zone("example.com")}, "www.example.com",
			`zone "www.example.com" was not found: it is a host of the zone example.com; give zone example.com (its URLs, hosts and prefixes may be of any host of the zone)`},
		{"a deeper host", []cloudflare.Zone{zone("example.com")}, "a.b.example.com",
			`zone "a.b.example.com" was not found: it is a host of the zone example.com; give zone example.com`},
		{"a typo", []cloudflare.Zone{zone("example.com"), zone("example.org")}, "exampel.com",
			`zone "exampel.com" was not found: did you mean example.com?`},
		{"another name, few zones", []cloudflare.Zone{zone("example.com")}, "nope.example",
			`zone "nope.example" was not found: the token sees only example.com; check the name, or give the zone ID`},
		{"another name, many zones", many, "nope.example",
			`zone "nope.example" was not found: check the name, or give the zone ID; the token needs Zone > Zone Read on the zone to find it by name`},
		{"no zone seen", nil, "example.com",
			`zone "example.com" was not found: check the name, or give the zone ID; the token needs Zone > Zone Read on the zone to find it by name`},
	}
	for _, tt := range tests {
		_, err := Zone(context.Background(), &fakeAPI{zones: tt.zones}, tt.ask, "")
		if err == nil || !errors.Is(err, ErrConfig) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: %v\nwant %s", tt.name, err, tt.want)
		}
	}
}

// An environment a slip away from one of the zone's is suggested, before
// the list.
func TestEnvironmentSuggested(t *testing.T) {
	t.Parallel()
	_, err := Targets(context.Background(), &fakeAPI{envs: docsEnvs}, "z1", true, []string{"Stagign"})
	want := `environment "Stagign" is not in the zone: did you mean Staging? Its environments are: Production (ref 12abcd3e45f678940a573f51834a54), Staging`
	if err == nil || !errors.Is(err, ErrConfig) || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("%v\nwant %s", err, want)
	}
}
