package main

import (
	"testing"
	"time"
)

func TestInZone(t *testing.T) {
	belgrade, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	at := time.Date(2026, 12, 3, 6, 57, 0, 0, time.UTC)
	type inner struct {
		When  time.Time
		Maybe *time.Time
		Zero  time.Time
	}
	type outer struct {
		Items []inner
		ByKey map[string]inner
		Any   any
		when  time.Time
	}
	at2 := at
	v := outer{
		Items: []inner{{When: at, Maybe: &at2}},
		ByKey: map[string]inner{"a": {When: at}},
		Any:   &inner{When: at},
		when:  at,
	}
	inZone(&v, belgrade)
	tests := []struct {
		name string
		got  time.Time
		want string
	}{
		{"slice element", v.Items[0].When, "2026-12-03T07:57:00+01:00"},
		{"pointer field", *v.Items[0].Maybe, "2026-12-03T07:57:00+01:00"},
		{"map value", v.ByKey["a"].When, "2026-12-03T07:57:00+01:00"},
		{"interface", v.Any.(*inner).When, "2026-12-03T07:57:00+01:00"},
		{"unexported field stays", v.when, "2026-12-03T06:57:00Z"},
	}
	for _, tt := range tests {
		if got := tt.got.Format(time.RFC3339); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
		if !tt.got.Equal(at) {
			t.Errorf("%s: the instant changed: %s", tt.name, tt.got)
		}
	}
	m := map[string]any{"ticket": inner{When: at}}
	inZone(m, belgrade)
	if got := m["ticket"].(inner).When.Format(time.RFC3339); got != "2026-12-03T07:57:00+01:00" {
		t.Errorf("a struct held in a map of any: %s", got)
	}
	if !v.Items[0].Zero.IsZero() {
		t.Errorf("a zero time became %s", v.Items[0].Zero)
	}
}
