package redact

import "reflect"

// Walk replaces every secret in every string that v, a pointer, holds
// however deep: exported struct fields, slices, arrays, pointers. A field
// added to a value later is covered without a line here. Each pointer and
// each slice's elements are visited once: a run's result shares one error
// among many batches, and one item list among its environments.
func (r *Redactor) Walk(v any) {
	if r == nil || len(r.set.Load().pats) == 0 {
		return
	}
	w := walker{r: r, seen: map[seenKey]bool{}}
	w.walk(reflect.ValueOf(v))
}

type seenKey struct {
	p uintptr
	n int
	t reflect.Type
}

type walker struct {
	r    *Redactor
	seen map[seenKey]bool
}

func (w walker) once(p uintptr, n int, t reflect.Type) bool {
	k := seenKey{p, n, t}
	if w.seen[k] {
		return false
	}
	w.seen[k] = true
	return true
}

func (w walker) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() && w.once(v.Pointer(), -1, v.Type()) {
			w.walk(v.Elem())
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			if t.Field(i).IsExported() {
				w.walk(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Len() > 0 && w.once(v.Pointer(), v.Len(), v.Type()) {
			for i := range v.Len() {
				w.walk(v.Index(i))
			}
		}
	case reflect.Array:
		for i := range v.Len() {
			w.walk(v.Index(i))
		}
	case reflect.String:
		if s := v.String(); v.CanSet() && s != "" {
			if red := w.r.String(s); red != s {
				v.SetString(red)
			}
		}
	}
}
