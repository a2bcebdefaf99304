package bot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
)

func TestCitizenMessageBecomesTicketAcknowledgedInTheirLanguage(t *testing.T) {
	tests := []struct {
		name     string
		from     models.User
		text     string
		category inquiry.Category
		language inquiry.Language
		officer  models.User
		ackWords []string
	}{
		{"Albanian document request", arta, docRequestSQ, inquiry.DocumentRequest, inquiry.Albanian, jusuf,
			[]string{"kërkesë për qasje në dokumente publike", "Arta Krasniqi"}},
		{"Serbian Cyrillic press inquiry", milan, pressSRCyrl, inquiry.PressInquiry, inquiry.SerbianCyrl, osman,
			[]string{"упит медија"}},
		{"English general question", john, generalEN, inquiry.GeneralQuestion, inquiry.English, zamira,
			[]string{"general question"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			sent := f.say(tt.from, tt.text)

			ts := f.tickets()
			if len(ts) != 1 {
				t.Fatalf("%d tickets, want 1", len(ts))
			}
			tk := ts[0]
			if tk.Channel != inquiry.ChannelTelegram || tk.Category != tt.category || tk.Language != tt.language || tk.ChatID != tt.from.ID {
				t.Fatalf("ticket %s: channel %s category %s language %s chat %d", tk.Number, tk.Channel, tk.Category, tk.Language, tk.ChatID)
			}
			ack := f.lastSent(tt.from.ID)
			words := append([]string{tk.Number}, tt.ackWords...)
			if tk.Category == inquiry.DocumentRequest {
				words = append(words, tk.DueAt.Format("02.01.2006"))
			}
			if miss := containsAll(ack.Text, words...); len(miss) > 0 {
				t.Errorf("acknowledgement lacks %q:\n%s", miss, ack.Text)
			}
			if ack.ReplyToMessage == nil || ack.ReplyToMessage.ID != sent.ID {
				t.Errorf("acknowledgement does not reply to message %d", sent.ID)
			}
			if n := len(f.tg.Sent(tt.from.ID)); n != 1 {
				t.Errorf("citizen got %d messages, want 1: %q", n, texts(f.tg.Sent(tt.from.ID)))
			}

			// The routed officer gets the ticket with its action buttons (a
			// document request's lifecycle too), and so does the officers' group.
			for _, chat := range []int64{tt.officer.ID, officersChat} {
				note := f.lastSent(chat)
				if !strings.Contains(note.Text, tk.Number) || !strings.Contains(note.Text, tt.text[:20]) {
					t.Errorf("notification to %d lacks the number or the text:\n%s", chat, note.Text)
				}
				want := []string{"t:" + tk.Number + ":take", "t:" + tk.Number + ":reassign", "t:" + tk.Number + ":category", "t:" + tk.Number + ":close"}
				if tk.Category == inquiry.DocumentRequest {
					want = append(want, "t:"+tk.Number+":urgent", "t:"+tk.Number+":notheld")
				}
				if got := buttonData(note); !slices.Equal(got, want) {
					t.Errorf("buttons to %d = %q, want %q", chat, got, want)
				}
			}
		})
	}
}

func TestStartOffersLanguagesAndTheChoiceWins(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(arta, "/start")
	greet := f.lastSent(arta.ID)
	want := []string{"lang:sq", "lang:sr-Latn", "lang:sr-Cyrl", "lang:en"}
	if got := buttonData(greet); !slices.Equal(got, want) {
		t.Fatalf("greeting buttons %q, want %q", got, want)
	}
	if !strings.Contains(greet.Text, "Mirë se vini") {
		t.Errorf("greeting is not Albanian: %q", greet.Text)
	}

	f.press(arta, greet, "lang:en")
	if got := f.tg.Calls("answerCallbackQuery"); len(got) != 1 {
		t.Errorf("%d answerCallbackQuery calls, want 1", len(got))
	}
	if edited := f.tg.Sent(arta.ID)[0]; edited.ReplyMarkup != nil && len(edited.ReplyMarkup.InlineKeyboard) > 0 {
		t.Errorf("language buttons still shown: %+v", edited.ReplyMarkup)
	}
	if got := f.lastSent(arta.ID).Text; !strings.Contains(got, "in English") {
		t.Errorf("confirmation %q is not English", got)
	}

	// An Albanian text and an Albanian Telegram: the explicit choice wins.
	f.say(arta, docRequestSQ)
	tk := f.tickets()[0]
	if tk.Language != inquiry.English {
		t.Errorf("ticket language %s, want en (the chat's choice)", tk.Language)
	}
	if ack := f.lastSent(arta.ID).Text; !strings.Contains(ack, "request for access to public documents") {
		t.Errorf("acknowledgement not in English:\n%s", ack)
	}
}

// A language button pressed on a greeting older than 48 hours, which
// Telegram then names only by its chat, still sets the chat's language:
// the press was dropped, the button doing nothing.
func TestLanguageChosenOnAnOldGreeting(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(arta, "/start")
	greet := f.lastSent(arta.ID)
	f.tg.Push(models.Update{CallbackQuery: &models.CallbackQuery{ID: "old", From: arta, Data: "lang:sr-Cyrl", ChatInstance: "ci",
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage,
			InaccessibleMessage: &models.InaccessibleMessage{Chat: greet.Chat, MessageID: greet.ID}}}})
	f.settle()
	if got := f.tg.Calls("answerCallbackQuery"); len(got) != 1 {
		t.Errorf("%d answerCallbackQuery calls, want 1", len(got))
	}
	if got := f.lastSent(arta.ID).Text; !strings.Contains(got, "на српском") {
		t.Fatalf("the choice was answered %q, want the Serbian Cyrillic confirmation", got)
	}
	f.say(arta, docRequestSQ)
	if tk := f.tickets()[0]; tk.Language != inquiry.SerbianCyrl {
		t.Errorf("ticket language %s, want sr-Cyrl (the chat's choice)", tk.Language)
	}
}

func TestFollowUpJoinsTicketAndNewStartsAnother(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(arta, "Përshëndetje, kam një pyetje për ministrinë.")
	first := f.tickets()[0]
	if first.Category == inquiry.DocumentRequest {
		t.Fatalf("a greeting was filed as a document request; the scenario needs another category")
	}
	f.say(arta, docRequestSQ)

	ts := f.tickets()
	if len(ts) != 1 {
		t.Fatalf("follow-up made %d tickets, want 1", len(ts))
	}
	tk := ts[0]
	if tk.Category != inquiry.DocumentRequest || tk.OfficerID != "jusuf" {
		t.Errorf("after the follow-up the ticket is %s for %s, want document_request for jusuf", tk.Category, tk.OfficerID)
	}
	// The category changed: exactly one corrected acknowledgement.
	if acks := f.tg.Sent(arta.ID); len(acks) != 2 || !strings.Contains(acks[1].Text, "Korrigjim") || !strings.Contains(acks[1].Text, tk.Number) {
		t.Errorf("messages to the citizen %q, want the ack and one correction", texts(acks))
	}
	if first.OfficerID == "jusuf" {
		t.Errorf("the greeting was already routed to jusuf; re-routing is not shown")
	}

	f.say(arta, "/status")
	status := f.lastSent(arta.ID).Text
	if miss := containsAll(status, tk.Number, "në shqyrtim"); len(miss) > 0 {
		t.Errorf("/status lacks %q:\n%s", miss, status)
	}

	f.say(arta, "/new")
	if got := f.lastSent(arta.ID).Text; !strings.Contains(got, "tiketë të re") {
		t.Errorf("/new answered %q", got)
	}
	f.say(arta, "Kur hapet thirrja për bursa për sportistët e rinj?")
	if ts := f.tickets(); len(ts) != 2 {
		t.Fatalf("after /new there are %d tickets, want 2", len(ts))
	}
	// And the one after that joins the new ticket again.
	f.say(arta, "Faleminderit.")
	if ts := f.tickets(); len(ts) != 2 {
		t.Fatalf("a message after the /new ticket made %d tickets, want 2", len(ts))
	}
	f.say(arta, "/status")
	if got := f.lastSent(arta.ID).Text; strings.Count(got, "DKP-") != 2 {
		t.Errorf("/status should list both tickets:\n%s", got)
	}
}

func TestStatusShowsOnlyTheChatsOwnTickets(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(arta, docRequestSQ)
	f.say(john, generalEN)
	numbers := map[int64]string{}
	for _, tk := range f.tickets() {
		numbers[tk.ChatID] = tk.Number
	}
	for _, tt := range []struct {
		who, other models.User
		none       bool
	}{{arta, john, false}, {john, arta, false}, {milan, arta, true}} {
		f.say(tt.who, "/status")
		got := f.lastSent(tt.who.ID).Text
		if strings.Contains(got, numbers[tt.other.ID]) {
			t.Errorf("%s sees %s's ticket:\n%s", tt.who.FirstName, tt.other.FirstName, got)
		}
		if !tt.none && !strings.Contains(got, numbers[tt.who.ID]) {
			t.Errorf("%s does not see their own ticket:\n%s", tt.who.FirstName, got)
		}
		if tt.none && strings.Contains(got, "DKP-") {
			t.Errorf("%s has no tickets but sees %q", tt.who.FirstName, got)
		}
	}
}

func TestAttachmentsAreRecordedWithCaptionsAsText(t *testing.T) {
	tests := []struct {
		name string
		msg  models.Message
		want inquiry.Attachment
		text string
	}{
		{"photo with caption keeps the largest size", models.Message{
			Caption: "Kërkoj kopjen e këtij vendimi",
			Photo: []models.PhotoSize{
				{FileID: "small", Width: 90, Height: 90, FileSize: 1000},
				{FileID: "large", Width: 1280, Height: 960, FileSize: 200000},
			}},
			inquiry.Attachment{FileID: "large", Name: "photo.jpg", ContentType: "image/jpeg", Size: 200000}, "Kërkoj kopjen e këtij vendimi"},
		{"document without caption", models.Message{
			Document: &models.Document{FileID: "doc1", FileName: "kerkesa.pdf", MimeType: "application/pdf", FileSize: 5120}},
			inquiry.Attachment{FileID: "doc1", Name: "kerkesa.pdf", ContentType: "application/pdf", Size: 5120}, ""},
		{"voice message", models.Message{
			Voice: &models.Voice{FileID: "v1", Duration: 7, MimeType: "audio/ogg", FileSize: 9000}},
			inquiry.Attachment{FileID: "v1", Name: "voice.ogg", ContentType: "audio/ogg", Size: 9000}, ""},
		{"document name cleaned like an email attachment's", models.Message{
			Document: &models.Document{FileID: "doc2", FileName: "../../invoice\u202efdp\x1b]0;x\x07.exe", MimeType: "application/octet-stream", FileSize: 2}},
			inquiry.Attachment{FileID: "doc2", Name: "invoicefdp]0;x.exe", ContentType: "application/octet-stream", Size: 2}, ""},
		{"document name of only controls gets the default", models.Message{
			Document: &models.Document{FileID: "doc3", FileName: "\x1b\u202e", MimeType: "application/pdf", FileSize: 3}},
			inquiry.Attachment{FileID: "doc3", Name: "document", ContentType: "application/pdf", Size: 3}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			m := tt.msg
			m.From = &arta
			m.Chat = models.Chat{ID: arta.ID, Type: models.ChatTypePrivate}
			f.tg.PushMessage(m)
			f.settle()
			ts := f.tickets()
			if len(ts) != 1 {
				t.Fatalf("%d tickets, want 1", len(ts))
			}
			entries, err := f.store.Entries(f.ctx, ts[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) == 0 || len(entries[0].Attachments) != 1 {
				t.Fatalf("entries %+v: want one with one attachment", entries)
			}
			e := entries[0]
			if got := e.Attachments[0]; got.FileID != tt.want.FileID || got.Name != tt.want.Name || got.ContentType != tt.want.ContentType || got.Size != tt.want.Size {
				t.Errorf("attachment %+v, want %+v", got, tt.want)
			}
			if e.Text != tt.text {
				t.Errorf("entry text %q, want %q", e.Text, tt.text)
			}
			if !strings.Contains(f.lastSent(arta.ID).Text, ts[0].Number) {
				t.Errorf("no acknowledgement for the attachment")
			}
		})
	}
}

func TestDiscussionGroupMentionsBecomePublicTickets(t *testing.T) {
	f := newFixture(t, setup{})
	mention := "@" + botName
	asked := f.tg.PushMessage(models.Message{
		From: &john, Chat: models.Chat{ID: discussion, Type: models.ChatTypeSupergroup},
		Text:     mention + " " + generalEN,
		Entities: []models.MessageEntity{{Type: models.MessageEntityTypeMention, Offset: 0, Length: len(mention)}},
	})
	f.tg.PushMessage(models.Message{From: &milan, Chat: models.Chat{ID: discussion, Type: models.ChatTypeSupergroup}, Text: "Одличан пост!"})
	f.settle()

	ts := f.tickets()
	if len(ts) != 1 {
		t.Fatalf("%d tickets, want 1 (chatter is ignored)", len(ts))
	}
	tk := ts[0]
	ack := f.lastSent(discussion)
	if !strings.Contains(ack.Text, "t.me/"+botName+"?start="+tk.Number) {
		t.Errorf("public acknowledgement lacks the private link:\n%s", ack.Text)
	}
	if strings.Contains(ack.Text, "John") || strings.Contains(ack.Text, "Smith") {
		t.Errorf("public acknowledgement names the sender:\n%s", ack.Text)
	}
	if ack.ReplyToMessage == nil || ack.ReplyToMessage.ID != asked.ID {
		t.Errorf("public acknowledgement is not a reply in the thread")
	}

	// A reply to the bot's comment is a question too.
	f.tg.PushMessage(models.Message{From: &milan, Chat: models.Chat{ID: discussion, Type: models.ChatTypeSupergroup},
		Text: pressSRCyrl, ReplyToMessage: &ack})
	f.settle()
	if n := len(f.tickets()); n != 2 {
		t.Errorf("reply to the bot made %d tickets in all, want 2", n)
	}

	// An answer given before John opens a private chat waits for it.
	f.tg.PushMessage(models.Message{From: &zamira, Chat: models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup},
		Text: "/reply " + tk.Number + " Held: the library opens at 9."})
	f.settle()
	for _, m := range f.tg.Sent(discussion) {
		if strings.Contains(m.Text, "Held:") {
			t.Fatalf("a held answer was posted in the public group: %q", m.Text)
		}
	}

	// Someone else cannot claim John's ticket; John can.
	f.say(milan, "/start "+tk.Number)
	if got := f.lastSent(milan.ID).Text; strings.Contains(got, tk.Number) {
		t.Errorf("a stranger linked another's ticket: %q", got)
	}
	f.say(john, "/start "+tk.Number)
	if got := f.lastSent(john.ID).Text; !strings.Contains(got, tk.Number) {
		t.Errorf("the author's link was not confirmed: %q", got)
	}
	if got := f.ticket(tk.Number).ChatID; got != john.ID {
		t.Fatalf("ticket chat %d after linking, want %d", got, john.ID)
	}
	f.settle()
	held := 0
	for _, m := range f.tg.Sent(john.ID) {
		if strings.Contains(m.Text, "Held: the library opens at 9.") {
			held++
		}
	}
	if held != 1 {
		t.Errorf("the held answer reached John %d times after linking, want once", held)
	}

	// The answer now reaches John privately.
	f.tg.PushMessage(models.Message{From: &zamira, Chat: models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup},
		Text: "/reply " + tk.Number + " The museum is open from 10 to 18 on Sundays."})
	f.settle()
	if got := f.lastSent(john.ID).Text; !strings.Contains(got, "open from 10 to 18") {
		t.Errorf("answer did not reach the private chat: %q", got)
	}
}

// Subjects, names and texts from citizens reach officers' and citizens'
// Telegram chats with their control characters escaped, never raw.
func TestEchoedTextCarriesNoControlCharacters(t *testing.T) {
	const attack = "\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e"
	f := newFixture(t, setup{})
	evil := models.User{ID: 1009, FirstName: "Evil" + attack, LastName: "Name", LanguageCode: "en"}
	f.say(evil, generalEN+" "+attack)
	if n := len(f.tickets()); n != 1 {
		t.Fatalf("%d tickets, want 1", n)
	}
	var all []string
	for _, chat := range []int64{evil.ID, officersChat, osman.ID, jusuf.ID, zamira.ID} {
		all = append(all, texts(f.tg.Sent(chat))...)
	}
	if len(all) < 2 {
		t.Fatalf("sent %q: want the acknowledgement and the officer's notification", all)
	}
	escaped := false
	for _, s := range all {
		if strings.ContainsAny(s, "\x1b\x07\u009b\u202e") {
			t.Errorf("raw control character sent: %q", s)
		}
		escaped = escaped || strings.Contains(s, `\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e`)
	}
	if !escaped {
		t.Errorf("no message shows the escaped text; sent %q", all)
	}
}

// Whatever starts the ticket a /new asked for (a message, or the command
// again with text), the message after it joins that ticket.
func TestNewIsAnsweredOnce(t *testing.T) {
	const hello, thanks = "Përshëndetje, kam një pyetje për ministrinë.", "Faleminderit."
	tests := []struct {
		name    string
		say     []string
		tickets []int // how many tickets after each message
	}{
		{"/new then a message", []string{hello, "/new", docRequestSQ, thanks}, []int{1, 1, 2, 2}},
		{"/new then /new text", []string{hello, "/new", "/new " + docRequestSQ, thanks}, []int{1, 1, 2, 2}},
		{"/new text alone", []string{hello, "/new " + docRequestSQ, thanks}, []int{1, 2, 2}},
		{"/new twice then /new text", []string{hello, "/new", "/new", "/new " + docRequestSQ, thanks}, []int{1, 1, 1, 2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			for i, text := range tt.say {
				f.say(arta, text)
				if n := len(f.tickets()); n != tt.tickets[i] {
					t.Fatalf("after %q: %d tickets, want %d", text, n, tt.tickets[i])
				}
			}
		})
	}
}

// Only a mention of the bot's whole username addresses it in the discussion
// group, and only that mention is cut from the filed text: an account whose
// name merely starts with the bot's is someone else.
func TestDiscussionMentionIsTheBotsWholeUsername(t *testing.T) {
	me, other := "@"+botName, "@"+botName+"_news"
	tests := []struct {
		name     string
		text     string
		entities bool   // as Telegram marks mentions; some clients' texts have none
		want     string // the filed text; "" for no ticket
	}{
		{"another account", "Follow " + other + " for the schedule, tel 044 123 456", true, ""},
		{"another account, no entities", "Follow " + other + " for the schedule, tel 044 123 456", false, ""},
		{"the bot and another account", me + "\n" + generalEN + "\n(seen on " + other + ")", true, generalEN + "\n(seen on " + other + ")"},
		{"the bot and another account, no entities", me + "\n" + generalEN + "\n(seen on " + other + ")", false, generalEN + "\n(seen on " + other + ")"},
		{"the bot in other case at the end", generalEN + " @" + strings.ToUpper(botName), false, generalEN},
		{"the bot before punctuation", me + ": " + generalEN, true, ": " + generalEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			m := models.Message{From: &john, Chat: models.Chat{ID: discussion, Type: models.ChatTypeSupergroup}, Text: tt.text}
			if tt.entities {
				m.Entities = mentionEntities(tt.text)
			}
			f.tg.PushMessage(m)
			f.settle()
			ts := f.tickets()
			if tt.want == "" {
				if len(ts) != 0 {
					t.Errorf("%d tickets from a comment that does not address the bot", len(ts))
				}
				return
			}
			if len(ts) != 1 {
				t.Fatalf("%d tickets, want 1", len(ts))
			}
			e, err := f.store.Entries(f.ctx, ts[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if e[0].Text != tt.want {
				t.Errorf("filed %q, want %q", e[0].Text, tt.want)
			}
		})
	}
}

// mentionEntities marks every @username in an ASCII text as Telegram does.
func mentionEntities(text string) []models.MessageEntity {
	var out []models.MessageEntity
	for i := 0; i < len(text); i++ {
		if text[i] != '@' {
			continue
		}
		j := i + 1
		for j < len(text) && (text[j] == '_' || 'a' <= text[j] && text[j] <= 'z' || 'A' <= text[j] && text[j] <= 'Z' || '0' <= text[j] && text[j] <= '9') {
			j++
		}
		out = append(out, models.MessageEntity{Type: models.MessageEntityTypeMention, Offset: i, Length: j - i})
		i = j - 1
	}
	return out
}
