package store

import (
	"slices"
	"testing"
)

func TestSpellingVariants(t *testing.T) {
	tests := []struct {
		word      string
		has, lack []string
		n         int
	}{
		{"dakovici", []string{"dakovici", "đakovici", "djakovici"}, nil, 3},
		{"djakovici", []string{"dakovici", "đakovici", "djakovici"}, nil, 3},
		{"građevinska", []string{"gradevinska", "građevinska", "gradjevinska"}, nil, 3},
		{"medunarodni", []string{"međunarodni", "medjunarodni"}, nil, 9},
		{"stadium", []string{"stadium", "stađium"}, nil, 3},
		{"kontrata", []string{"kontrata"}, nil, 1},
		{"dddd", []string{"dddd", "đđđd", "djdjdjd"}, []string{"đđđđ"}, 27},
	}
	for _, tt := range tests {
		got := SpellingVariants(tt.word)
		if len(got) != tt.n {
			t.Errorf("%s: %d spellings %v, want %d", tt.word, len(got), got, tt.n)
		}
		for _, w := range tt.has {
			if !slices.Contains(got, w) {
				t.Errorf("%s: spellings %v lack %s", tt.word, got, w)
			}
		}
		for _, w := range tt.lack {
			if slices.Contains(got, w) {
				t.Errorf("%s: spellings %v hold %s", tt.word, got, w)
			}
		}
	}
}
