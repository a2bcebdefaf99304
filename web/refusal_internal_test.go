package web

import (
	"fmt"
	"testing"

	"sportel/desk"
	"sportel/inquiry"
)

// A refusal the desk has not typed (none the workspace's actions reach
// now; a complaint's or a mail command's) still gets a lead in the page's
// language, with the desk's English reason after it so the officer learns
// why; another error is said to have failed, not to be refused.
func TestUntypedRefusalKeepsItsReason(t *testing.T) {
	refused := fmt.Errorf("%w: complaint on DKP-2026-000001: 2027-01-01 is in the future", desk.ErrLifecycle)
	failed := fmt.Errorf("disk I/O error")
	tests := []struct {
		lang            inquiry.Language
		refused, failed string
	}{
		{inquiry.Albanian, "Veprimi nuk lejohet: complaint on DKP-2026-000001: 2027-01-01 is in the future", "Veprimi nuk u krye: disk I/O error"},
		{inquiry.SerbianLatin, "Radnja nije dozvoljena: complaint on DKP-2026-000001: 2027-01-01 is in the future", "Radnja nije izvršena: disk I/O error"},
		{inquiry.SerbianCyrl, "Радња није дозвољена: complaint on DKP-2026-000001: 2027-01-01 is in the future", "Радња није извршена: disk I/O error"},
		{inquiry.English, "Not allowed: complaint on DKP-2026-000001: 2027-01-01 is in the future", "The action was not done: disk I/O error"},
	}
	for _, tt := range tests {
		p := page{Lang: tt.lang}
		if got := refusalText(p, refused); got != tt.refused {
			t.Errorf("%s: %q, want %q", tt.lang, got, tt.refused)
		}
		if got := refusalText(p, failed); got != tt.failed {
			t.Errorf("%s: %q, want %q", tt.lang, got, tt.failed)
		}
	}
}
