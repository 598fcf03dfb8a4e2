package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// zoneJSON is a zone object with every field that Cloudflare's SDKs require of
// one (cloudflare-go's zones.Zone), so that a client reading more than the action
// does finds them. The values are those of the API reference's example where the
// zone's own settings say nothing.
type zoneJSON struct {
	ID                  string      `json:"id"`
	Name                string      `json:"name"`
	Status              string      `json:"status"`
	Paused              bool        `json:"paused"`
	Type                string      `json:"type"`
	DevelopmentMode     int         `json:"development_mode"`
	NameServers         []string    `json:"name_servers"`
	OriginalNameServers []string    `json:"original_name_servers"`
	OriginalRegistrar   *string     `json:"original_registrar"`
	OriginalDNSHost     *string     `json:"original_dnshost"`
	CreatedOn           string      `json:"created_on"`
	ModifiedOn          string      `json:"modified_on"`
	ActivatedOn         *string     `json:"activated_on"`
	Meta                metaJSON    `json:"meta"`
	Owner               ownerJSON   `json:"owner"`
	Account             accountJSON `json:"account"`
	Plan                planJSON    `json:"plan"`
}

type accountJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type ownerJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type metaJSON struct {
	CDNOnly                bool `json:"cdn_only"`
	CustomCertificateQuota int  `json:"custom_certificate_quota"`
	DNSOnly                bool `json:"dns_only"`
	FoundationDNS          bool `json:"foundation_dns"`
	PageRuleQuota          int  `json:"page_rule_quota"`
	PhishingDetected       bool `json:"phishing_detected"`
	Step                   int  `json:"step"`
}

// The dates every zone shows: the API reference's example (a zone created,
// changed and activated long ago).
const (
	zoneCreatedOn   = "2014-01-01T05:20:00.12345Z"
	zoneActivatedOn = "2014-01-02T00:01:00.12345Z"
)

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

// zoneObject is a zone as the lookup and GET /zones/{zone_id} show it.
func zoneObject(z Zone) zoneJSON {
	activated := zoneActivatedOn
	return zoneJSON{
		ID: z.ID, Name: z.Name, Status: "active", Type: "full",
		// A zone on Cloudflare's name servers since it was added: no original ones.
		NameServers:         []string{"bob.ns.cloudflare.com", "lola.ns.cloudflare.com"},
		OriginalNameServers: nil,
		CreatedOn:           zoneCreatedOn, ModifiedOn: zoneCreatedOn, ActivatedOn: &activated,
		Meta:    metaJSON{CustomCertificateQuota: 1, PageRuleQuota: 3, Step: 2},
		Owner:   ownerJSON{ID: z.AccountID, Name: z.AccountName, Type: "organization"},
		Account: accountJSON{ID: z.AccountID, Name: z.AccountName},
		Plan:    plans[z.Plan],
	}
}

// Paging of zone lookups, as Cloudflare documents it for GET /zones.
const (
	defaultPerPage = 20
	minPerPage     = 5
	maxPerPage     = 50
)

// serveZones answers GET /zones?name=NAME[&account.id=ID][&page=N][&per_page=M]
// with the zones the credentials may read, one page of them. A page past
// the last is empty: the official SDKs page until they get one.
func (e *Emulator) serveZones(w http.ResponseWriter, r *http.Request, p principal) {
	// A token without Zone Read fails; one with Zone Read on other zones only
	// lists nothing.
	if p.token != nil && !slices.Contains(p.token.Permissions, PermZoneRead) {
		writeError(w, errAuth)
		return
	}
	q := r.URL.Query()
	name, account := q.Get("name"), q.Get("account.id")
	page, perPage, perr := paging(q.Get("page"), q.Get("per_page"))
	if perr != nil {
		writeError(w, *perr)
		return
	}
	e.mu.Lock()
	found := []zoneJSON{}
	for _, z := range e.zones {
		if (name != "" && !strings.EqualFold(z.Name, name)) ||
			(account != "" && z.AccountID != account) ||
			!p.can(PermZoneRead, z.ID) {
			continue
		}
		found = append(found, zoneObject(z))
	}
	e.mu.Unlock()
	total := len(found)
	from := min(total, (page-1)*perPage)
	found = found[from:min(total, from+perPage)]
	writeJSON(w, http.StatusOK, envelope{
		Success: true, Result: found,
		ResultInfo: &resultInfo{Page: page, PerPage: perPage, Count: len(found), TotalCount: total,
			TotalPages: (total + perPage - 1) / perPage},
	})
}

// paging reads page (from 1) and per_page (5 to 50, Cloudflare's bounds;
// outside them, the nearest). Not a number: 400, as a validation error.
func paging(pageArg, perPageArg string) (page, perPage int, err *apiError) {
	page, perPage = 1, defaultPerPage
	if pageArg != "" {
		n, aerr := strconv.Atoi(pageArg)
		if aerr != nil || n < 1 || n > 1<<30 {
			return 0, 0, errBadRequest(1001, "Invalid page: must be a whole number from 1")
		}
		page = n
	}
	if perPageArg != "" {
		n, aerr := strconv.Atoi(perPageArg)
		if aerr != nil {
			return 0, 0, errBadRequest(1001, "Invalid per_page: must be a whole number from 5 to 50")
		}
		perPage = min(maxPerPage, max(minPerPage, n))
	}
	return page, perPage, nil
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
