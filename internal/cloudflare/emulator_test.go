package cloudflare

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
)

// The strict reading accepts what the emulator answers, Cloudflare's
// documented shapes.
func TestAgainstTheEmulator(t *testing.T) {
	t.Parallel()
	emu := emulator.New(emulator.Options{Plan: emulator.PlanPro})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c := New(Options{BaseURL: srv.URL + "/client/v4", Credentials: Credentials{Token: emulator.SandboxToken}, Retry: retry.Default(0)})
	ctx := context.Background()

	zones, err := c.FindZones(ctx, "example.com", "")
	if err != nil || len(zones) != 1 || zones[0].ID != emulator.ExampleZoneID || zones[0].Plan != "pro" || zones[0].AccountID != emulator.ExampleAccountID {
		t.Fatalf("FindZones = %+v, %v", zones, err)
	}
	envs, err := c.Environments(ctx, emulator.ExampleZoneID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range envs {
		names = append(names, e.Name+" "+e.Ref)
	}
	want := []string{"Production " + emulator.ProductionRef, "Staging " + emulator.StagingRef, "Development " + emulator.DevelopmentRef}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("environments (-want +got):\n%s", diff)
	}
	if id, attempts, _, err := c.Purge(ctx, emulator.ExampleZoneID, emulator.StagingRef, tags); err != nil || attempts != 1 || !validID(id) {
		t.Errorf("Purge = %q, %d, %v", id, attempts, err)
	}
	if got := emu.Purges(); len(got) != 1 || got[0].EnvironmentRef != emulator.StagingRef {
		t.Errorf("emulator purges %+v", got)
	}
}
