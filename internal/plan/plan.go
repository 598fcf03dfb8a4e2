// Package plan splits what to purge into requests: one kind per request,
// at most the per-request limit of items each. Every target environment of
// a zone gets the same batches; how many URLs a request takes depends on
// the zone's plan, so a zone's batches are made once its plan is known
// (FilesPerRequest, then Build).
package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// ListItemsPerRequest is Cloudflare's limit of tags, hosts or prefixes per request.
const ListItemsPerRequest = 100

// Cloudflare's limits of URLs per purge request: 500 on Enterprise, 30 on
// every other plan (the plans table's 100 holds for tags, hosts and
// prefixes only; above 30 URLs a request is refused with HTTP 400).
const (
	EnterpriseFilesPerRequest = 500
	OtherFilesPerRequest      = 30
)

// FilesLimit is the most URLs a purge request of a zone of this plan takes,
// and whether the plan is known: zonePlan is the zone's plan as the API
// names it ("enterprise", "Pro Website"); empty when it could not be read.
// An unknown plan gets 30, which every plan takes.
func FilesLimit(zonePlan string) (limit int, known bool) {
	f := strings.Fields(strings.ToLower(zonePlan))
	if len(f) == 0 {
		return OtherFilesPerRequest, false
	}
	switch f[0] {
	case "enterprise":
		return EnterpriseFilesPerRequest, true
	case "free", "pro", "business":
		return OtherFilesPerRequest, true
	}
	return OtherFilesPerRequest, false
}

// FilesPerRequest is how many URLs go in each purge request to a zone of
// this plan: asked (files-per-request), or, when 0, the most the plan
// takes. A value above the limit of a known plan is refused as an input
// error (exit 2, before any purge); cli names the input as a flag. A plan
// that could not be read refuses nothing: Cloudflare will say.
func FilesPerRequest(zonePlan string, asked int, cli bool) (int, error) {
	limit, known := FilesLimit(zonePlan)
	switch {
	case asked <= 0:
		return limit, nil
	case known && asked > limit:
		name := strings.Fields(strings.ToLower(zonePlan))[0]
		leave := "leave it empty"
		if cli {
			leave = "leave it out"
		}
		return 0, &config.InputError{Input: config.InputFilesPerRequest, Value: strconv.Itoa(asked), CLI: cli,
			Problem: fmt.Sprintf("the zone is on the %s plan, which takes at most %d URLs per purge request: set %d or less, or %s for the plan's most", name, limit, limit, leave)}
	}
	return asked, nil
}

// Batch is the body of one purge request.
type Batch struct {
	Kind  result.Kind
	Files []config.File // result.KindFiles and result.KindFilesWithHeaders
	Items []string      // result.KindTags, result.KindHosts, result.KindPrefixes
}

// Count is the number of items the batch purges; purge everything counts one.
func (b Batch) Count() int {
	switch b.Kind {
	case result.KindEverything:
		return 1
	case result.KindFiles, result.KindFilesWithHeaders:
		return len(b.Files)
	}
	return len(b.Items)
}

// Values lists the batch's items as text: URLs, tags, hosts or prefixes.
func (b Batch) Values() []string {
	if b.Kind == result.KindFiles || b.Kind == result.KindFilesWithHeaders {
		v := make([]string, len(b.Files))
		for i, f := range b.Files {
			v[i] = f.URL
		}
		return v
	}
	return b.Items
}

// Build splits items into batches, filesPerRequest URLs at most each (see
// FilesPerRequest). Batches share the items' backing arrays:
// a plan for 100,000 URLs costs no copy of them.
func Build(items config.Items, filesPerRequest int) []Batch {
	if items.Everything {
		return []Batch{{Kind: result.KindEverything}}
	}
	var bs []Batch
	plain, withHeaders := splitFiles(items.Files)
	bs = appendFileBatches(bs, result.KindFiles, plain, filesPerRequest)
	bs = appendFileBatches(bs, result.KindFilesWithHeaders, withHeaders, filesPerRequest)
	bs = appendListBatches(bs, result.KindTags, items.Tags)
	bs = appendListBatches(bs, result.KindHosts, items.Hosts)
	bs = appendListBatches(bs, result.KindPrefixes, items.Prefixes)
	return bs
}

// Layout is the batches as a result lays them out, every one planned, with
// its items.
func Layout(bs []Batch) []result.Batch {
	out := make([]result.Batch, len(bs))
	for i, b := range bs {
		out[i] = result.Batch{Kind: b.Kind, Count: b.Count(), Status: result.Planned, Items: b.Values()}
	}
	return out
}

func splitFiles(files []config.File) (plain, withHeaders []config.File) {
	for _, f := range files {
		if len(f.Headers) > 0 {
			withHeaders = append(withHeaders, f)
		}
	}
	if len(withHeaders) == 0 {
		return files, nil
	}
	for _, f := range files {
		if len(f.Headers) == 0 {
			plain = append(plain, f)
		}
	}
	return plain, withHeaders
}

func appendFileBatches(bs []Batch, kind result.Kind, files []config.File, per int) []Batch {
	for len(files) > 0 {
		n := min(per, len(files))
		bs = append(bs, Batch{Kind: kind, Files: files[:n:n]})
		files = files[n:]
	}
	return bs
}

func appendListBatches(bs []Batch, kind result.Kind, items []string) []Batch {
	for len(items) > 0 {
		n := min(ListItemsPerRequest, len(items))
		bs = append(bs, Batch{Kind: kind, Items: items[:n:n]})
		items = items[n:]
	}
	return bs
}
