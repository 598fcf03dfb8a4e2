package redact

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

type inner struct {
	Text  string
	Items []string
}

type outer struct {
	Name   string
	Kind   kind
	In     inner
	Ptr    *inner
	Shared *inner
	List   []inner
	Arr    [2]string
	hidden string
}

type kind string

// Every string a value holds is redacted, however deep, a shared pointer
// once; unexported fields are left alone.
func TestWalk(t *testing.T) {
	t.Parallel()
	const s = "s3cr3t-token"
	shared := &inner{Text: "a " + s}
	v := outer{
		Name: s, Kind: kind("k-" + s), In: inner{Text: "x%2D" + s[7:], Items: []string{s, "fine"}},
		Ptr: &inner{Text: s}, Shared: shared, List: []inner{{Text: s}, {Items: []string{"b " + s}}},
		Arr: [2]string{s, "ok"}, hidden: s,
	}
	New(s).Walk(&v)
	want := outer{
		Name: Mask, Kind: kind("k-" + Mask), In: inner{Text: "x%2D" + s[7:], Items: []string{Mask, "fine"}},
		Ptr: &inner{Text: Mask}, Shared: &inner{Text: "a " + Mask}, List: []inner{{Text: Mask}, {Items: []string{"b " + Mask}}},
		Arr: [2]string{Mask, "ok"}, hidden: s,
	}
	if diff := cmp.Diff(want, v, cmp.AllowUnexported(outer{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var nothing *Redactor
	nothing.Walk(&v) // hides nothing, and does not panic
}
