// Package plan splits what to purge into requests: one kind per request,
// at most the per-request limit of items each, for every target environment.
package plan

import "github.com/cloudflare-purge/cloudflare-purge/internal/config"

// Kind is what one purge request carries. Cloudflare takes one kind per request.
type Kind string

const (
	KindFiles            Kind = "files"
	KindFilesWithHeaders Kind = "files-with-headers"
	KindTags             Kind = "tags"
	KindHosts            Kind = "hosts"
	KindPrefixes         Kind = "prefixes"
	KindEverything       Kind = "purge-everything"
)

// ListItemsPerRequest is Cloudflare's limit of tags, hosts or prefixes per request.
const ListItemsPerRequest = 100

// Batch is the body of one purge request.
type Batch struct {
	Kind  Kind
	Files []config.File // KindFiles and KindFilesWithHeaders
	Items []string      // KindTags, KindHosts, KindPrefixes
}

// Count is the number of items the batch purges; purge everything counts one.
func (b Batch) Count() int {
	switch b.Kind {
	case KindEverything:
		return 1
	case KindFiles, KindFilesWithHeaders:
		return len(b.Files)
	}
	return len(b.Items)
}

// Values lists the batch's items as text: URLs, tags, hosts or prefixes.
func (b Batch) Values() []string {
	if b.Kind == KindFiles || b.Kind == KindFilesWithHeaders {
		v := make([]string, len(b.Files))
		for i, f := range b.Files {
			v[i] = f.URL
		}
		return v
	}
	return b.Items
}

// Target is one environment to purge. Production (Ref == "") goes through
// the zone endpoint, which purges every environment of the zone.
type Target struct {
	Name string
	Ref  string
}

// IsZone reports whether the target uses the zone-level endpoint.
func (t Target) IsZone() bool { return t.Ref == "" }

// Plan is every request of a run: each target gets the same batches.
type Plan struct {
	ZoneID  string
	Targets []Target
	Batches []Batch
}

// Requests is the number of purge requests the plan sends.
func (p Plan) Requests() int { return len(p.Targets) * len(p.Batches) }

// Build splits items into batches. Batches share the items' backing arrays:
// a plan for 100,000 URLs costs no copy of them.
func Build(zoneID string, targets []Target, items config.Items, filesPerRequest int) Plan {
	p := Plan{ZoneID: zoneID, Targets: targets}
	if items.Everything {
		p.Batches = []Batch{{Kind: KindEverything}}
		return p
	}
	plain, withHeaders := splitFiles(items.Files)
	p.Batches = appendFileBatches(p.Batches, KindFiles, plain, filesPerRequest)
	p.Batches = appendFileBatches(p.Batches, KindFilesWithHeaders, withHeaders, filesPerRequest)
	p.Batches = appendListBatches(p.Batches, KindTags, items.Tags)
	p.Batches = appendListBatches(p.Batches, KindHosts, items.Hosts)
	p.Batches = appendListBatches(p.Batches, KindPrefixes, items.Prefixes)
	return p
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

func appendFileBatches(bs []Batch, kind Kind, files []config.File, per int) []Batch {
	for len(files) > 0 {
		n := min(per, len(files))
		bs = append(bs, Batch{Kind: kind, Files: files[:n:n]})
		files = files[n:]
	}
	return bs
}

func appendListBatches(bs []Batch, kind Kind, items []string) []Batch {
	for len(items) > 0 {
		n := min(ListItemsPerRequest, len(items))
		bs = append(bs, Batch{Kind: kind, Items: items[:n:n]})
		items = items[n:]
	}
	return bs
}
