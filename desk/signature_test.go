package desk

import (
	"testing"

	"sportel/inquiry"
)

func TestSignatureOnly(t *testing.T) {
	officer := inquiry.Officer{Name: "Jusuf Lushaku", Title: "Zyrtar i Lartë për Informim", Email: "jusuf.lushaku@mkrs.example"}
	division := map[inquiry.Language]string{inquiry.Albanian: "Divizioni për Komunikim Publik"}
	tests := []struct {
		text string
		want bool
	}{
		{"-- \nJusuf Lushaku\nTel. +383 38 200 20 000", true},
		{"Jusuf Lushaku\nZyrtar i Lartë për Informim\nDivizioni për Komunikim Publik\nE-mail: jusuf.lushaku@mkrs.example", true},
		{"Me respekt,\nJusuf Lushaku", true},
		{"________________\nJusuf Lushaku", true},
		{"Kontrata ju dërgohet nesër.\n\n-- \nJusuf Lushaku", false},
		{"Po.", false},
		{"Jusuf Lushaku\nKontrata është bashkëngjitur.", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := signatureOnly(tt.text, officer, division); got != tt.want {
			t.Errorf("signatureOnly(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
