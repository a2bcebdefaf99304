package bot

import (
	"strings"
	"testing"

	"sportel/inquiry"
)

func TestActionKeyboard(t *testing.T) {
	all := []inquiry.TicketAction{inquiry.ActionTake, inquiry.ActionReassign, inquiry.ActionRecategorize, inquiry.ActionClose}
	tests := []struct {
		name    string
		number  string
		offered []inquiry.TicketAction
		want    [][]string // callback data by row
		wantErr string
	}{
		{"all four, two rows", "DKP-2026-000001", all, [][]string{
			{"t:DKP-2026-000001:take", "t:DKP-2026-000001:reassign"},
			{"t:DKP-2026-000001:category", "t:DKP-2026-000001:close"}}, ""},
		{"order follows the layout, not the offer", "DKP-2026-000002", []inquiry.TicketAction{inquiry.ActionClose, inquiry.ActionReassign},
			[][]string{{"t:DKP-2026-000002:reassign"}, {"t:DKP-2026-000002:close"}}, ""},
		{"unknown action", "DKP-2026-000003", []inquiry.TicketAction{"delete"}, nil, `unknown ticket action "delete"`},
		{"no ticket", "", all, nil, "without a ticket"},
		{"too long for callback data", strings.Repeat("X", 60), all, nil, "64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kb, err := actionKeyboard(tt.number, tt.offered)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, row := range kb.InlineKeyboard {
				var r []string
				for _, b := range row {
					if b.Text == "" {
						t.Errorf("button %s has no label", b.CallbackData)
					}
					r = append(r, b.CallbackData)
				}
				got = append(got, r)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("rows %v, want %v", got, tt.want)
			}
			for i := range got {
				if strings.Join(got[i], " ") != strings.Join(tt.want[i], " ") {
					t.Errorf("row %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestClientLanguage(t *testing.T) {
	tests := []struct {
		code string
		want inquiry.Language
	}{
		{"sq", inquiry.Albanian},
		{"sq-AL", inquiry.Albanian},
		{"sr", inquiry.SerbianCyrl}, // Telegram's own Serbian is Cyrillic
		{"sr-Cyrl", inquiry.SerbianCyrl},
		{"sr-Latn", inquiry.SerbianLatin},
		{"bs", inquiry.SerbianLatin},
		{"hr", inquiry.SerbianLatin},
		{"en-GB", inquiry.English},
		{"EN", inquiry.English},
		{"de", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got, ok := clientLanguage(tt.code); got != tt.want || ok != (tt.want != "") {
			t.Errorf("clientLanguage(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}
