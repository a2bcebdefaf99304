package inquiry

import (
	"slices"
	"testing"
)

func TestFindNumbers(t *testing.T) {
	tests := []struct {
		subject string
		max     int
		want    []string
	}{
		{"Re: [DKP-2026-000001] edhe unë [DKP-2026-000002]", 4, []string{"DKP-2026-000001", "DKP-2026-000002"}},
		{"Re: dkp-2026-2 [DKP-2026-000002] XYZ-2026-000003 DKP-2026-000004", 4, []string{"DKP-2026-000002", "DKP-2026-000004"}},
		{"DKP-2026-1 DKP-2026-2 DKP-2026-3", 2, []string{"DKP-2026-000001", "DKP-2026-000002"}},
		{"Pyetje", 4, nil},
	}
	for _, tt := range tests {
		if got := FindNumbers("DKP", tt.subject, tt.max); !slices.Equal(got, tt.want) {
			t.Errorf("FindNumbers(%q, %d) = %q, want %q", tt.subject, tt.max, got, tt.want)
		}
	}
}
