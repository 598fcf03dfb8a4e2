package plan

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudflare-purge/cloudflare-purge/internal/config"
	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
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
	Kind  result.Kind
	Count int
}

func shapes(bs []Batch) []shape {
	var s []shape
	for _, b := range bs {
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
		{"everything", config.Items{Everything: true}, 30, []shape{{result.KindEverything, 1}}},
		{"65 URLs at 30", config.Items{Files: urls(65)}, 30, []shape{{result.KindFiles, 30}, {result.KindFiles, 30}, {result.KindFiles, 5}}},
		{"65 URLs at 500", config.Items{Files: urls(65)}, 500, []shape{{result.KindFiles, 65}}},
		{"exactly 30", config.Items{Files: urls(30)}, 30, []shape{{result.KindFiles, 30}}},
		{"URLs with headers go on their own", config.Items{Files: append(urls(2), withHeaders)}, 30, []shape{{result.KindFiles, 2}, {result.KindFilesWithHeaders, 1}}},
		{"250 tags", config.Items{Tags: strs("t", 250)}, 30, []shape{{result.KindTags, 100}, {result.KindTags, 100}, {result.KindTags, 50}}},
		{"one kind per request", config.Items{Files: urls(1), Tags: strs("t", 1), Hosts: strs("h", 1), Prefixes: strs("p", 1)}, 30,
			[]shape{{result.KindFiles, 1}, {result.KindTags, 1}, {result.KindHosts, 1}, {result.KindPrefixes, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bs := Build(tt.items, tt.per)
			if diff := cmp.Diff(tt.want, shapes(bs)); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
			total := 0
			for _, b := range bs {
				total += b.Count()
			}
			if total != tt.items.Count() {
				t.Errorf("batches hold %d items, want %d: nothing lost, nothing doubled", total, tt.items.Count())
			}
		})
	}
}

func TestBuildKeepsOrder(t *testing.T) {
	t.Parallel()
	bs := Build(config.Items{Files: urls(31)}, 30)
	var got []string
	for _, b := range bs {
		got = append(got, b.Values()...)
	}
	var want []string
	for _, f := range urls(31) {
		want = append(want, f.URL)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("URLs in batch order (-want +got):\n%s", diff)
	}
}

// Layout is what a result starts from: every batch planned, with its items.
func TestLayout(t *testing.T) {
	t.Parallel()
	got := Layout(Build(config.Items{Files: urls(2), Tags: strs("t", 1)}, 30))
	want := []result.Batch{
		{Kind: result.KindFiles, Count: 2, Status: result.Planned, Items: []string{"https://example.com/0", "https://example.com/1"}},
		{Kind: result.KindTags, Count: 1, Status: result.Planned, Items: []string{"t0"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Layout (-want +got):\n%s", diff)
	}
}

// A batch must not be able to grow into its neighbour's items.
func TestBatchesDoNotAlias(t *testing.T) {
	t.Parallel()
	bs := Build(config.Items{Tags: strs("t", 150)}, 30)
	first := bs[0].Items
	_ = append(first, "intruder")
	if bs[1].Items[0] != "t100" {
		t.Errorf("appending to batch 0 changed batch 1: %q", bs[1].Items[0])
	}
}

// The size follows the zone's plan: 500 on Enterprise, 30 elsewhere and
// when the plan is unknown; an asked size the plan refuses is an input error.
func TestFilesPerRequest(t *testing.T) {
	for _, tt := range []struct {
		plan    string
		asked   int
		want    int
		refused bool
	}{
		{"enterprise", 0, 500, false},
		{"Enterprise Website", 0, 500, false},
		{"pro", 0, 30, false},
		{"Free Website", 0, 30, false},
		{"business", 0, 30, false},
		{"", 0, 30, false},                // the plan could not be read
		{"partner-special", 0, 30, false}, // a plan we do not know
		{"enterprise", 500, 500, false},
		{"enterprise", 31, 31, false},
		{"pro", 30, 30, false},
		{"pro", 31, 0, true},
		{"free", 500, 0, true},
		{"", 500, 500, false}, // unknown: Cloudflare will say
	} {
		got, err := FilesPerRequest(tt.plan, tt.asked, false)
		if got != tt.want || (err != nil) != tt.refused {
			t.Errorf("FilesPerRequest(%q, %d) = %d, %v; want %d, refused %v", tt.plan, tt.asked, got, err, tt.want, tt.refused)
		}
	}
	_, err := FilesPerRequest("Pro Website", 31, true)
	var ie *config.InputError
	if !errors.As(err, &ie) || !errors.Is(err, config.ErrInvalidInput) {
		t.Fatalf("error %v: want a *config.InputError", err)
	}
	for _, want := range []string{"--files-per-request", `"31"`, "pro plan", "at most 30"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q: want it to say %q", err, want)
		}
	}
}
