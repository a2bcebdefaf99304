package bot_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

// A message a citizen forwards carries someone else's words: the ticket
// says whose, and when they were written, so officers do not read a
// channel's post as the citizen's own, and a forwarded command is filed
// as what was sent, not run. A reply to another chat's message says which,
// with the words it quotes.
func TestForwardedMessageNamesItsOrigin(t *testing.T) {
	const written = 1767225600 // 01.01.2026 00:00 UTC
	sig := "Redaksia"
	tests := []struct {
		name   string
		origin models.MessageOrigin
		text   string
		want   string // the first line of the filed text
		// reply: the message answers another chat's, with quote (shown on
		// one line, so it cannot fake a line of its own).
		reply bool
		quote string
	}{
		{"a channel's post", models.MessageOrigin{Type: models.MessageOriginTypeChannel, MessageOriginChannel: &models.MessageOriginChannel{
			Type: models.MessageOriginTypeChannel, Date: written, MessageID: 77, AuthorSignature: &sig,
			Chat: models.Chat{ID: -100555, Type: models.ChatTypeChannel, Title: "Lajme 24", Username: "lajme24"}}},
			"Ministri do të japë dorëheqje nesër, thotë burimi.",
			"[Përcjellë nga kanali «Lajme 24» (@lajme24), nënshkruar nga «Redaksia», shkruar më 01.01.2026 00:00]", false, ""},
		{"a group's anonymous admin", models.MessageOrigin{Type: models.MessageOriginTypeChat, MessageOriginChat: &models.MessageOriginChat{
			Type: models.MessageOriginTypeChat, Date: written, SenderChat: models.Chat{ID: -100556, Type: models.ChatTypeSupergroup, Title: "Banorët e lagjes"}}},
			generalEN, "[Përcjellë nga grupi «Banorët e lagjes», shkruar më 01.01.2026 00:00]", false, ""},
		{"another person", models.MessageOrigin{Type: models.MessageOriginTypeUser, MessageOriginUser: &models.MessageOriginUser{
			Type: models.MessageOriginTypeUser, Date: written, SenderUser: models.User{ID: 7, FirstName: "Ilir", LastName: "Berisha\u202e", Username: "ilirb"}}},
			docRequestSQ, `[Përcjellë nga «Ilir Berisha\u202e» (@ilirb), shkruar më 01.01.2026 00:00]`, false, ""},
		{"a person whose name shows nothing", models.MessageOrigin{Type: models.MessageOriginTypeUser, MessageOriginUser: &models.MessageOriginUser{
			Type: models.MessageOriginTypeUser, Date: written, SenderUser: models.User{ID: 8, FirstName: "\u3164"}}},
			generalEN, "[Përcjellë nga një llogari pa emër (id 8), shkruar më 01.01.2026 00:00]", false, ""},
		{"a person who hides their account", models.MessageOrigin{Type: models.MessageOriginTypeHiddenUser, MessageOriginHiddenUser: &models.MessageOriginHiddenUser{
			Type: models.MessageOriginTypeHiddenUser, Date: written, SenderUserName: "Dikush"}},
			pressSRCyrl, "[Përcjellë nga «Dikush» (llogari e fshehur), shkruar më 01.01.2026 00:00]", false, ""},
		{"a command someone else wrote", models.MessageOrigin{Type: models.MessageOriginTypeHiddenUser, MessageOriginHiddenUser: &models.MessageOriginHiddenUser{
			Type: models.MessageOriginTypeHiddenUser, Date: written, SenderUserName: "Dikush"}},
			"/new Kur hapet pishina e qytetit?", "[Përcjellë nga «Dikush» (llogari e fshehur), shkruar më 01.01.2026 00:00]", false, ""},
		{"a reply to a channel's post, quoting it", models.MessageOrigin{Type: models.MessageOriginTypeChannel, MessageOriginChannel: &models.MessageOriginChannel{
			Type: models.MessageOriginTypeChannel, Date: written, MessageID: 78,
			Chat: models.Chat{ID: -100555, Type: models.ChatTypeChannel, Title: "Lajme 24", Username: "lajme24"}}},
			"A është e vërtetë kjo?", "[Në përgjigje të një mesazhi nga kanali «Lajme 24» (@lajme24), shkruar më 01.01.2026 00:00: «Stadiumi mbyllet në mars»]",
			true, "Stadiumi mbyllet\nnë mars"},
		{"a reply to a channel's post", models.MessageOrigin{Type: models.MessageOriginTypeChannel, MessageOriginChannel: &models.MessageOriginChannel{
			Type: models.MessageOriginTypeChannel, Date: written, MessageID: 78,
			Chat: models.Chat{ID: -100555, Type: models.ChatTypeChannel, Title: "Lajme 24"}}},
			"A është e vërtetë kjo?", "[Në përgjigje të një mesazhi nga kanali «Lajme 24», shkruar më 01.01.2026 00:00]", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			m := models.Message{From: &arta, Chat: models.Chat{ID: arta.ID, Type: models.ChatTypePrivate}, Text: tt.text, ForwardOrigin: &tt.origin}
			if tt.reply {
				m.ForwardOrigin = nil
				m.ExternalReply = &models.ExternalReplyInfo{Origin: tt.origin, MessageID: 78}
				if tt.quote != "" {
					m.Quote = &models.TextQuote{Text: tt.quote, IsManual: true}
				}
			}
			f.tg.PushMessage(m)
			f.settle()
			ts := f.tickets()
			if len(ts) != 1 {
				t.Fatalf("%d tickets, want 1; sent %q", len(ts), texts(f.tg.Sent(arta.ID)))
			}
			entries, err := f.store.Entries(f.ctx, ts[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want + "\n" + tt.text; len(entries) == 0 || entries[0].Text != want {
				t.Fatalf("filed %q, want %q", entries[0].Text, want)
			}
			note := f.lastSent(officersChat).Text
			if !strings.Contains(note, strings.ReplaceAll(tt.want, "\u202e", `\u202e`)+"\n") {
				t.Errorf("the officers' notification does not say whose words these are:\n%s", note)
			}
		})
	}
}
