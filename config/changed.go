package config

import (
	"reflect"
	"strings"
)

// Changed lists the keys whose values differ between a and b, by their
// path in the file ("imap.addr", "tickets.calendar.days_off"); a list or a
// section that is present in one and absent in the other is named whole.
// Only key names are returned, never values, so secrets can be listed.
func Changed(a, b *Config) []string {
	var out []string
	changed("", reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem(), &out)
	return out
}

func changed(path string, a, b reflect.Value, out *[]string) {
	switch a.Kind() {
	case reflect.Struct:
		t := a.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name // not read from the file, but still compared
			}
			changed(joinPath(path, name), a.Field(i), b.Field(i), out)
		}
	case reflect.Pointer:
		switch {
		case a.IsNil() && b.IsNil():
		case a.IsNil() || b.IsNil():
			*out = append(*out, path)
		default:
			changed(path, a.Elem(), b.Elem(), out)
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, path)
		}
	}
}
