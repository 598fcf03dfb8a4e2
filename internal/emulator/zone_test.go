package emulator_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/cloudflare/cloudflare-go/v7/zones"

	"github.com/cloudflare-purge/cloudflare-purge/internal/emulator"
)

// TestZoneObjectsAsTheSDKReadsThem: a zone, in the lookup and in the zone
// details, carries every field that cloudflare-go's zones.Zone marks
// required (api:"required"), so a client that reads more of it than the
// action does finds them; both answers pass the schema too (serve).
func TestZoneObjectsAsTheSDKReadsThem(t *testing.T) {
	t.Parallel()
	e := newEmulator(t, emulator.Options{})
	var required []string
	zt := reflect.TypeFor[zones.Zone]()
	for i := range zt.NumField() {
		if f := zt.Field(i); strings.Contains(f.Tag.Get("api"), "required") {
			required = append(required, f.Name)
		}
	}
	if len(required) < 14 {
		t.Fatalf("zones.Zone marks %d fields required (%v): has the SDK changed?", len(required), required)
	}
	lookup := decode(t, serve(t, e, newRequest("GET", "/client/v4/zones?name=example.com&account.id="+emulator.ExampleAccountID, "", nil), false))
	details := decode(t, serve(t, e, newRequest("GET", "/client/v4/zones/"+emulator.ExampleZoneID, "", nil), false))
	var listed []json.RawMessage
	if err := json.Unmarshal(lookup.env.Result, &listed); err != nil || len(listed) != 1 {
		t.Fatalf("the lookup lists %d zones (%v): %s", len(listed), err, lookup.body)
	}
	for what, raw := range map[string]json.RawMessage{"lookup": listed[0], "details": details.env.Result} {
		var z zones.Zone
		if err := json.Unmarshal(raw, &z); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		meta := reflect.ValueOf(z.JSON)
		for _, name := range required {
			f := meta.FieldByName(name)
			if !f.IsValid() {
				t.Errorf("%s: zones.Zone's JSON metadata has no %s", what, name)
				continue
			}
			if f.MethodByName("IsMissing").Call(nil)[0].Bool() {
				t.Errorf("%s: the zone lacks %s, which zones.Zone requires: %s", what, name, raw)
			}
		}
		if z.ID != emulator.ExampleZoneID || z.Name != emulator.ExampleZoneName || z.CreatedOn.IsZero() || z.Owner.ID == "" {
			t.Errorf("%s: %+v", what, z)
		}
	}
}
