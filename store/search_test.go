package store

import (
	"slices"
	"strings"
	"testing"
)

func TestSearchWords(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ... --- ", nil},
		{"Përgjigje  KËRKESË", []string{"përgjigje", "kërkesë"}},
		{`"dokument" OR NEAR(x*)`, []string{"dokument", "or", "near", "x"}},
		{"e-mail: arta@example.org", []string{"e", "mail", "arta", "example", "org"}},
		{"Ћирилица 2026", []string{"ћирилица", "2026"}},
		{"pe\u0308rgjigje \u0301", []string{"pergjigje"}},
		{strings.Repeat("a ", MaxSearchWords+5), slices.Repeat([]string{"a"}, MaxSearchWords)},
	}
	for _, c := range cases {
		if got := SearchWords(c.in); !slices.Equal(got, c.want) {
			t.Errorf("SearchWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
