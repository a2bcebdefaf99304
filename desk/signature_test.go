package desk

import (
	"strings"
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
		{"Jusuf Lushaku\nMinistria e Kulturës, Rinisë dhe Sportit\nRr. Luan Haradinaj, 10000 Prishtinë", true},
		{"Me respekt,\n\nJusuf Lushaku\nZyrtar i Lartë për Informim\nMinistria e Kulturës, Rinisë dhe Sportit", true},
		{"Divizioni për Komunikim Publik\nMinistria e Kulturës, Rinisë dhe Sportit\nwww.mkrs-ks.org", true},
		{"Ministria e Kulturës, Rinisë dhe Sportit\nJusuf Lushaku", false},
		{"Jusuf Lushaku\nJu lutem na dërgoni kopjen e letërnjoftimit dhe autorizimin e nënshkruar nga përfaqësuesi ligjor", false},
		{"Jusuf Lushaku\nA e keni marrë kontratën?", false},
		{"Me respekt,\n\nKontrata gjendet në shtojcë", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := signatureOnly(tt.text, officer, division); got != tt.want {
			t.Errorf("signatureOnly(%q) = %v, want %v", tt.text, got, tt.want)
		}
		// An officer configured without a title: no blank line may count as
		// the title and start a signature.
		untitled := officer
		untitled.Title = ""
		if strings.Contains(tt.text, officer.Title) {
			continue
		}
		if got := signatureOnly(tt.text, untitled, division); got != tt.want {
			t.Errorf("without a title, signatureOnly(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
