package bot_test

import (
	"strings"
	"testing"

	"sportel/inquiry"
)

// A long text with no break to cut at is cut where Telegram's limit falls,
// but never inside a letter as the reader sees it: between a letter and
// its combining accent, an emoji and its skin tone or variation selector,
// the two halves of a flag, or around the joiner of an emoji sequence.
// Cut there, a part began with a stray accent and every flag after the cut
// read as another country's.
func TestLongTextsAreNotCutInsideALetter(t *testing.T) {
	tests := []struct {
		name string
		unit string // one letter as the reader sees it, repeated
		n    int
	}{
		{"combining accent", "e\u0301", 3000},
		{"skin tone", "👍🏽", 2000},
		{"variation selector", "🏟️", 2000},
		{"flags", "🇽🇰", 2000},
		{"joined family", "👨‍👩‍👧", 1000},
		{"plain letters", "ë", 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{noRun: true})
			f.tg.MarkStarted(arta.ID)
			// The number before the answer, as an answer is sent, puts the
			// limit at an odd place in the letters.
			const number = "DKP-2026-000001\n\n"
			text := number + strings.Repeat(tt.unit, tt.n)
			if _, err := f.bot.SendChat(f.ctx, &inquiry.ChatMessage{ChatID: arta.ID, Text: text}); err != nil {
				t.Fatal(err)
			}
			sent := f.tg.Sent(arta.ID)
			if len(sent) < 2 {
				t.Fatalf("%d part(s): the scenario needs a split", len(sent))
			}
			var joined strings.Builder
			for i, m := range sent {
				if rest := strings.ReplaceAll(strings.TrimPrefix(m.Text, number), tt.unit, ""); rest != "" {
					t.Errorf("part %d of %d is not whole letters: it begins %+q and ends %+q", i+1, len(sent), head(m.Text), tail(m.Text))
				}
				joined.WriteString(m.Text)
			}
			if joined.String() != text {
				t.Errorf("the parts do not add up to the text")
			}
		})
	}
}

func head(s string) string { return string([]rune(s)[:min(4, len([]rune(s)))]) }
func tail(s string) string { r := []rune(s); return string(r[max(0, len(r)-4):]) }
