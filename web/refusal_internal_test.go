package web

import (
	"fmt"
	"strings"
	"testing"

	"sportel/desk"
	"sportel/inquiry"
)

// A refusal the desk has not typed (none it makes now; another part's)
// still gets a lead in the page's language, with its reason after it so
// the officer learns why. A failure of the system is said as one, to try
// again, with none of the Go error's text; a ticket that does not exist,
// by its number.
func TestUntypedRefusalKeepsItsReason(t *testing.T) {
	refused := fmt.Errorf("%w: the moon is in the wrong phase", desk.ErrLifecycle)
	failed := fmt.Errorf("read ticket: %w", fmt.Errorf("disk I/O error"))
	missing := fmt.Errorf("%w DKP-2026-000009", desk.ErrNoTicket)
	tests := []struct {
		lang                     inquiry.Language
		refused, failed, missing string
	}{
		{inquiry.Albanian, "Veprimi nuk lejohet: the moon is in the wrong phase",
			"Veprimi nuk u krye për një gabim të sistemit. Provoni sërish pas pak", "Nuk ka tiketë DKP-2026-000009."},
		{inquiry.SerbianLatin, "Radnja nije dozvoljena: the moon is in the wrong phase",
			"Radnja nije izvršena zbog greške u sistemu. Pokušajte ponovo", "Nema tiketa DKP-2026-000009."},
		{inquiry.SerbianCyrl, "Радња није дозвољена: the moon is in the wrong phase",
			"Радња није извршена због грешке у систему. Покушајте поново", "Нема тикета DKP-2026-000009."},
		{inquiry.English, "Not allowed: the moon is in the wrong phase",
			"The action was not done: the system failed. Try again", "There is no ticket DKP-2026-000009."},
	}
	for _, tt := range tests {
		p := page{Lang: tt.lang}
		if got := refusalText(p, refused); got != tt.refused {
			t.Errorf("%s: %q, want %q", tt.lang, got, tt.refused)
		}
		if got := refusalText(p, failed); !strings.HasPrefix(got, tt.failed) || strings.Contains(got, "disk") {
			t.Errorf("%s: %q, want it to start %q, without the Go error", tt.lang, got, tt.failed)
		}
		if got := refusalText(p, missing); got != tt.missing {
			t.Errorf("%s: %q, want %q", tt.lang, got, tt.missing)
		}
	}
}
