//go:build pacestandin

package bench

import (
	"context"
	"time"

	"github.com/cloudflare-purge/cloudflare-purge/internal/cloudflare"
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
	"github.com/cloudflare-purge/cloudflare-purge/internal/pace"
	"github.com/cloudflare-purge/cloudflare-purge/internal/plan"
	"github.com/cloudflare-purge/cloudflare-purge/internal/purge"
	"github.com/cloudflare-purge/cloudflare-purge/internal/resolve"
	"github.com/cloudflare-purge/cloudflare-purge/internal/retry"
)

// runner names what the benchmarks run: with -tags pacestandin, a stand-in
// for app.Main (while internal/app is rewired to the new client and pacer)
// that makes the same calls as the program: the zone's lookup by name or
// its read by ID (the plan goes to the pacer), the environments, the plan,
// internal/purge's concurrent requests through the client and its pacer.
const runner = "stand-in"

func runWorkload(ctx context.Context, w workload, apiURL string, clock *scaledClock) bool {
	var now func() time.Time
	var sleep func(context.Context, time.Duration) error
	if clock != nil {
		now, sleep = clock.Now, clock.Sleep
	}
	timeout := 5 * time.Minute // the action's default
	if w.timeout > 0 {
		timeout = w.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := pace.New(pace.Options{Now: now, Sleep: sleep})
	c := cloudflare.New(cloudflare.Options{
		BaseURL: apiURL, Credentials: cloudflare.Credentials{Token: emulator.SandboxToken},
		Retry: retry.Default(5), Sleep: sleep, Pacer: p,
	})
	zoneID := emulator.ExampleZoneID
	if w.byName {
		z, err := resolve.Zone(ctx, c, emulator.ExampleZoneName, "")
		if err != nil {
			return false
		}
		zoneID = z.ID
		p.UsePlan(z.Plan)
	} else if z, err := c.Zone(ctx, zoneID); err == nil {
		p.UsePlan(z.Plan)
	}
	targets, err := resolve.Targets(ctx, c, zoneID, w.byName, w.targets())
	if err != nil {
		return false
	}
	items := config.Items{Tags: w.tagList()}
	for _, u := range w.urlList() {
		items.Files = append(items.Files, config.File{URL: u})
	}
	for _, env := range purge.Run(ctx, plan.Build(zoneID, targets, items, w.filesPerRequest), c, purge.Options{}) {
		if env.FailedCount > 0 {
			return false
		}
	}
	return true
}
