package main

import (
	"reflect"
	"time"
)

var timeType = reflect.TypeFor[time.Time]()

// inZone sets every time.Time reachable from v (a pointer, or a slice or
// map of values) to loc, so JSON output speaks tickets.timezone like the
// tables do; the instants are unchanged. Unexported fields are left alone.
func inZone(v any, loc *time.Location) {
	zoneValue(reflect.ValueOf(v), loc)
}

func zoneValue(v reflect.Value, loc *time.Location) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			zoneValue(v.Elem(), loc)
		}
	case reflect.Interface:
		// What an interface holds is not addressable: copy, convert, put back.
		if !v.IsNil() && v.CanSet() {
			e := reflect.New(v.Elem().Type()).Elem()
			e.Set(v.Elem())
			zoneValue(e, loc)
			v.Set(e)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			zoneValue(v.Index(i), loc)
		}
	case reflect.Map:
		// Map values are not addressable: copy, convert, put back.
		iter := v.MapRange()
		for iter.Next() {
			e := reflect.New(iter.Value().Type()).Elem()
			e.Set(iter.Value())
			zoneValue(e, loc)
			v.SetMapIndex(iter.Key(), e)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			if v.CanSet() {
				v.Set(reflect.ValueOf(v.Interface().(time.Time).In(loc)))
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				zoneValue(v.Field(i), loc)
			}
		}
	}
}
