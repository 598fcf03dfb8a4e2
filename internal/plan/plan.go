// Package plan splits what to purge into requests: one kind per request,
// at most the per-request limit of items each. Every target environment
// gets the same batches, so the plan needs only the items: it is made
// right after the configuration is read, before anything is resolved.
package plan

import (
	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// ListItemsPerRequest is Cloudflare's limit of tags, hosts or prefixes per request.
const ListItemsPerRequest = 100

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

// Build splits items into batches. Batches share the items' backing arrays:
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
