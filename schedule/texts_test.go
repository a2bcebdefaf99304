package schedule

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// TestTextsEveryLanguage renders every text in every language: the verbs
// match their arguments, the subject names the ticket once, and each
// language is written in its own script.
func TestTextsEveryLanguage(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Calendar: calendar.New(calendar.Options{}), Location: loc, Mailbox: inquiry.Address{Address: "k@mkrs.example"},
		MessageIDDomain: "mkrs.example", Officers: []inquiry.Officer{{ID: "jusuf", Name: "Jusuf Lushaku"}}}, nil, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 4, 10, 0, 0, 0, loc)
	tk := inquiry.Ticket{ID: 1, Number: "DKP-2026-000001", Channel: inquiry.ChannelEmail, Sender: inquiry.Address{Name: "Arta", Address: "arta@example.org"},
		Subject: "Kërkesë", Category: inquiry.DocumentRequest, OfficerID: "jusuf", State: inquiry.Assigned, NeedsReview: true,
		ReceivedAt: at, DueAt: at.Add(7 * 24 * time.Hour)}
	d := digestData{Day: calendar.DateOf(at), From: at.Add(-24 * time.Hour), To: at, New: 1,
		ByCategory: map[inquiry.Category]int{inquiry.DocumentRequest: 1}, ByChannel: map[inquiry.Channel]int{inquiry.ChannelEmail: 1},
		DueSoon: []inquiry.Ticket{tk}, Overdue: []inquiry.Ticket{tk}, Waiting: []inquiry.Ticket{tk},
		Failed:  []inquiry.Job{{TicketID: 1, Kind: inquiry.JobAck, Recipient: "arta@example.org", FinishedAt: at, LastError: "550"}},
		Numbers: map[int64]string{1: tk.Number}}
	cases := []struct {
		lang     inquiry.Language
		cyrillic bool
		word     string // a word of the language's reminder
	}{
		{"", false, "Kujtesë"},
		{inquiry.Albanian, false, "Kujtesë"},
		{inquiry.SerbianLatin, false, "Podsetnik"},
		{inquiry.SerbianCyrl, true, "Подсетник"},
		{inquiry.English, false, "Reminder"},
	}
	for _, c := range cases {
		t.Run(string(c.lang), func(t *testing.T) {
			w := textsFor(c.lang)
			type rendered struct{ name, subject, text, chat string }
			var all []rendered
			for _, days := range []int{0, 2} {
				sub, text, chat := s.reminderText(w, &tk, inquiry.Officer{}, days)
				all = append(all, rendered{"reminder", sub, text, chat})
			}
			// A ticket whose officer a reload took out: its reminder goes
			// to the heads and says whose it was.
			orphan := tk
			orphan.OfficerID = "ana"
			sub, text, chat := s.reminderText(w, &orphan, inquiry.Officer{}, 1)
			if !strings.Contains(text, "(ana)") || !strings.Contains(chat, "(ana)") {
				t.Errorf("reminder of a removed officer's ticket does not name them:\n%s", text)
			}
			all = append(all, rendered{"reminder", sub, text, chat})
			sub, text, chat = s.escalationText(w, &tk, inquiry.Officer{})
			all = append(all, rendered{"escalation", sub, text, chat})
			sub, text, chat = s.digestText(w, d)
			all = append(all, rendered{"digest", sub, text, chat})
			if !strings.Contains(all[0].subject, c.word) {
				t.Errorf("reminder subject %q lacks %q", all[0].subject, c.word)
			}
			for _, r := range all {
				for _, part := range []string{r.subject, r.text, r.chat} {
					if strings.Contains(part, "%!") || strings.Contains(part, "MISSING") {
						t.Errorf("%s: bad verb in %q", r.name, part)
					}
				}
				want := 1
				if r.name == "digest" {
					want = 0
				}
				if n := strings.Count(r.subject, tk.Number); n != want {
					t.Errorf("%s subject %q names the ticket %d times, want %d", r.name, r.subject, n, want)
				}
				if hasCyrillic(r.text) != c.cyrillic {
					t.Errorf("%s text in Cyrillic = %v, want %v:\n%s", r.name, hasCyrillic(r.text), c.cyrillic, r.text)
				}
			}
		})
	}
}

func hasCyrillic(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0
}
