package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

// A Telegram name of characters that show nothing (a Hangul filler,
// zero-width spaces) is no name: officers see the @username, else the
// account, as for a person with no name at all, not a blank sender.
func TestInvisibleNamesAreNoNames(t *testing.T) {
	tests := []struct {
		name   string
		user   models.User
		sender string // the ticket's sender's name
		author string // the entry's author
	}{
		{"a Hangul filler with a username", models.User{ID: 1077, FirstName: "\u3164", Username: "ghost", LanguageCode: "en"}, "@ghost", "@ghost"},
		{"zero-width characters", models.User{ID: 1078, FirstName: "\u200b\u200d", LastName: "\u2060", LanguageCode: "en"}, "", "tg:1078"},
		{"a name with an invisible character in it", models.User{ID: 1079, FirstName: "Ana\u200b", LanguageCode: "en"}, "Ana\u200b", "Ana\u200b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.say(tt.user, generalEN)
			ts := f.tickets()
			if len(ts) != 1 {
				t.Fatalf("%d tickets, want 1", len(ts))
			}
			if got := ts[0].Sender.Name; got != tt.sender {
				t.Errorf("sender named %q, want %q", got, tt.sender)
			}
			entries, err := f.store.Entries(f.ctx, ts[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := entries[0].Author; got != tt.author {
				t.Errorf("entry author %q, want %q", got, tt.author)
			}
			want := fmt.Sprintf("Dërguesi: tg:%d\n", tt.user.ID)
			if tt.sender != "" {
				want = fmt.Sprintf("Dërguesi: %s <tg:%d>\n", tt.sender, tt.user.ID)
			}
			if note := f.lastSent(officersChat).Text; !strings.Contains(note, want) {
				t.Errorf("the officers' notification lacks %q:\n%s", want, note)
			}
		})
	}
}
