package plan

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
)

func urls(n int) []config.File {
	f := make([]config.File, n)
	for i := range f {
		f[i] = config.File{URL: fmt.Sprintf("https://example.com/%d", i)}
	}
	return f
}

func strs(prefix string, n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return s
}

// shape is a batch's kind and size: what the tests compare.
type shape struct {
	Kind  Kind
	Count int
}

func shapes(p Plan) []shape {
	var s []shape
	for _, b := range p.Batches {
		s = append(s, shape{b.Kind, b.Count()})
	}
	return s
}

func TestBuild(t *testing.T) {
	t.Parallel()
	withHeaders := config.File{URL: "https://example.com/cat.jpg", Headers: map[string]string{"CF-Device-Type": "mobile"}}
	tests := []struct {
		name  string
		items config.Items
		per   int
		want  []shape
	}{
		{"everything", config.Items{Everything: true}, 30, []shape{{KindEverything, 1}}},
		{"65 URLs at 30", config.Items{Files: urls(65)}, 30, []shape{{KindFiles, 30}, {KindFiles, 30}, {KindFiles, 5}}},
		{"65 URLs at 500", config.Items{Files: urls(65)}, 500, []shape{{KindFiles, 65}}},
		{"exactly 30", config.Items{Files: urls(30)}, 30, []shape{{KindFiles, 30}}},
		{"URLs with headers go on their own", config.Items{Files: append(urls(2), withHeaders)}, 30, []shape{{KindFiles, 2}, {KindFilesWithHeaders, 1}}},
		{"250 tags", config.Items{Tags: strs("t", 250)}, 30, []shape{{KindTags, 100}, {KindTags, 100}, {KindTags, 50}}},
		{"one kind per request", config.Items{Files: urls(1), Tags: strs("t", 1), Hosts: strs("h", 1), Prefixes: strs("p", 1)}, 30,
			[]shape{{KindFiles, 1}, {KindTags, 1}, {KindHosts, 1}, {KindPrefixes, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Build("zone", []Target{{Name: "Production"}}, tt.items, tt.per)
			if diff := cmp.Diff(tt.want, shapes(p)); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
			total := 0
			for _, b := range p.Batches {
				total += b.Count()
			}
			if total != tt.items.Count() {
				t.Errorf("batches hold %d items, want %d: nothing lost, nothing doubled", total, tt.items.Count())
			}
		})
	}
}

func TestBuildKeepsOrderAndTargets(t *testing.T) {
	t.Parallel()
	targets := []Target{{Name: "Staging", Ref: "s"}, {Name: "Development", Ref: "d"}}
	p := Build("zone", targets, config.Items{Files: urls(31)}, 30)
	if p.Requests() != 4 {
		t.Errorf("Requests() = %d, want 4", p.Requests())
	}
	var got []string
	for _, b := range p.Batches {
		got = append(got, b.Values()...)
	}
	var want []string
	for _, f := range urls(31) {
		want = append(want, f.URL)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("URLs in batch order (-want +got):\n%s", diff)
	}
	if targets[0].IsZone() || !(Target{Name: "Production"}).IsZone() {
		t.Error("IsZone: only a target without a ref uses the zone endpoint")
	}
}

// A batch must not be able to grow into its neighbour's items.
func TestBatchesDoNotAlias(t *testing.T) {
	t.Parallel()
	p := Build("zone", nil, config.Items{Tags: strs("t", 150)}, 30)
	first := p.Batches[0].Items
	_ = append(first, "intruder")
	if p.Batches[1].Items[0] != "t100" {
		t.Errorf("appending to batch 0 changed batch 1: %q", p.Batches[1].Items[0])
	}
}
