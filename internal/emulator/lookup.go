package emulator

import (
	"net/http"
	"slices"
	"strings"
)

type zoneJSON struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Status  string      `json:"status"`
	Account accountJSON `json:"account"`
	Plan    planJSON    `json:"plan"`
}

type accountJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type planJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	LegacyID     string `json:"legacy_id"`
	IsSubscribed bool   `json:"is_subscribed"`
}

// plans are the plan objects a zone shows (IDs made up, stable).
var plans = map[Plan]planJSON{
	PlanFree:       {ID: "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee", Name: "Free Website", LegacyID: "free", IsSubscribed: true},
	PlanPro:        {ID: "a577b510288e82b26486fa3e5ef8d7f8", Name: "Pro Website", LegacyID: "pro", IsSubscribed: true},
	PlanBusiness:   {ID: "bf7a1e0e8d0e4e0c9c5b3e2a1d0f9e8c", Name: "Business Website", LegacyID: "business", IsSubscribed: true},
	PlanEnterprise: {ID: "94f3b7b768b0458b56d2cac4fe5ec0f9", Name: "Enterprise Website", LegacyID: "enterprise", IsSubscribed: true},
}

// serveZones answers GET /zones?name=NAME[&account.id=ID] with the zones the
// credentials may read. Paging is not modelled: every match is on page 1.
func (e *Emulator) serveZones(w http.ResponseWriter, r *http.Request, p principal) {
	// A token without Zone Read fails; one with Zone Read on other zones only
	// lists nothing.
	if p.token != nil && !slices.Contains(p.token.Permissions, PermZoneRead) {
		writeError(w, errAuth)
		return
	}
	q := r.URL.Query()
	name, account := q.Get("name"), q.Get("account.id")
	e.mu.Lock()
	found := []zoneJSON{}
	for _, z := range e.zones {
		if (name != "" && !strings.EqualFold(z.Name, name)) ||
			(account != "" && z.AccountID != account) ||
			!p.can(PermZoneRead, z.ID) {
			continue
		}
		found = append(found, zoneJSON{
			ID: z.ID, Name: z.Name, Status: "active",
			Account: accountJSON{ID: z.AccountID, Name: z.AccountName},
			Plan:    plans[z.Plan],
		})
	}
	e.mu.Unlock()
	n := len(found)
	writeJSON(w, http.StatusOK, envelope{
		Success: true, Result: found,
		ResultInfo: &resultInfo{Page: 1, PerPage: 20, Count: n, TotalCount: n, TotalPages: 1},
	})
}

type environmentJSON struct {
	Name               string       `json:"name"`
	Ref                string       `json:"ref"`
	Version            *int         `json:"version"`
	Expression         string       `json:"expression"`
	LockedOnDeployment bool         `json:"locked_on_deployment"`
	Position           positionJSON `json:"position"`
}

// positionJSON places an environment between its neighbours (by ref).
type positionJSON struct {
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// serveEnvironments answers GET /zones/{zone_id}/environments.
func serveEnvironments(w http.ResponseWriter, z Zone) {
	if !z.Versioning {
		// Undocumented; an older Cloudflare page mentions 10001.
		writeError(w, *errBadRequest(10001, "Zone versioning is not enabled for this zone"))
		return
	}
	envs := make([]environmentJSON, len(z.Environments))
	for i, env := range z.Environments {
		envs[i] = environmentJSON{
			Name: env.Name, Ref: env.Ref, Expression: env.Expression,
			LockedOnDeployment: env.LockedOnDeployment,
		}
		if !env.NullVersion {
			envs[i].Version = &env.Version
		}
		if i > 0 {
			envs[i].Position.After = z.Environments[i-1].Ref
		}
		if i+1 < len(z.Environments) {
			envs[i].Position.Before = z.Environments[i+1].Ref
		}
	}
	writeResult(w, map[string]any{"environments": envs})
}
