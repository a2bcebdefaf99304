package desk_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
)

// reviewFixture files one document request in lang from a sender with
// display name name, received at received.
func reviewFixture(t *testing.T, lang inquiry.Language, name, text string, received time.Time) *fixture {
	t.Helper()
	f := newFixtureClassifier(t, filepath.Join(t.TempDir(), "sportel.db"), fixedClassifier{inquiry.DocumentRequest, lang}, func(c *desk.Config) {
		c.Officers = append(append([]inquiry.Officer(nil), officers...), head)
		c.DivisionName = divisionNames
	})
	m := citizen("req@example.net", "arben.berisha@gmail.com", "Kërkesë", text)
	m.From.Name = name
	if !received.IsZero() {
		m.ReceivedAt = received
		f.now = received
	}
	if d := f.handle(m); d != inquiry.Filed {
		t.Fatalf("disposition %s", d)
	}
	return f
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// The acknowledgement greets neutrally a display name that is not a name;
// the notices (extension, not held, decision) greet with it anyway.
func TestNoticeGreetsByUnfitDisplayName(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"arben.berisha@gmail.com", "WIN 1000 EUR at http://evil.example"} {
		t.Run(name, func(t *testing.T) {
			f := reviewFixture(t, inquiry.Albanian, name, docRequestSQ, time.Time{})
			ack := jobsOf(f.jobs(ticket1), inquiry.JobAck)[0].Mail
			t.Logf("ack greeting: %q, To name %q", firstLine(ack.Text), ack.To[0].Name)
			if _, err := f.desk.Extend(ctx, ticket1, 10, "Dokumentet janë në arkiv.", "jusuf"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.desk.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.Granted}, "jusuf"); err != nil {
				t.Fatal(err)
			}
			for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobNotice) {
				t.Logf("notice To name %q, subject %q, greeting %q", j.Mail.To[0].Name, j.Mail.Subject, firstLine(j.Mail.Text))
				if strings.Contains(j.Mail.Text, name) || j.Mail.To[0].Name == name {
					t.Errorf("notice repeats the display name the acknowledgement refused to repeat:\n%s", j.Mail.Text)
				}
			}
		})
	}
}

// An extension of one day: "1 days", "1 dana", "1 дана".
func TestExtensionByOneDayGrammar(t *testing.T) {
	ctx := context.Background()
	wrong := map[inquiry.Language]string{
		inquiry.English:      "by 1 days",
		inquiry.SerbianLatin: "za 1 dana",
		inquiry.SerbianCyrl:  "за 1 дана",
	}
	for lang, bad := range wrong {
		t.Run(string(lang), func(t *testing.T) {
			f := reviewFixture(t, lang, "Arben Berisha", docRequestSQ, time.Time{})
			if _, err := f.desk.Extend(ctx, ticket1, 1, "archive", "jusuf"); err != nil {
				t.Fatal(err)
			}
			text := noticeTexts(f.jobs(ticket1))[0]
			for _, l := range strings.Split(text, "\n") {
				if strings.Contains(l, bad) {
					t.Errorf("wrong number agreement: %q", l)
				}
			}
		})
	}
}

// An urgent request that arrives on a day off is registered at 00:00 of
// the next working day and due 48 hours later, at 00:00: the end of the
// day before. The acknowledgement names the day after.
func TestUrgentAckDateWhenDueAtMidnight(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Belgrade")
	for _, lang := range []inquiry.Language{inquiry.Albanian, inquiry.English} {
		t.Run(string(lang), func(t *testing.T) {
			// Saturday 28 November 2026, 10:00.
			text := docRequestSQ + " Djali im është në paraburgim."
			if lang == inquiry.English {
				text = "Under the Law on Access to Public Documents I request the decision on my son, who is in detention."
			}
			f := reviewFixture(t, lang, "Arben Berisha", text, time.Date(2026, 11, 28, 10, 0, 0, 0, loc))
			tk := f.ticket(ticket1)
			if !tk.Urgent {
				t.Fatal("not urgent")
			}
			ack := jobsOf(f.jobs(ticket1), inquiry.JobAck)[0].Mail.Text
			t.Logf("due %s", tk.DueAt.In(loc).Format(time.RFC3339))
			for _, l := range strings.Split(ack, "\n") {
				if strings.Contains(l, "02.12.2026") || strings.Contains(l, "2 December 2026") {
					t.Errorf("ack promises a day the deadline does not reach (due %s): %q",
						tk.DueAt.In(loc).Format(time.RFC3339), l)
				}
			}
		})
	}
}

// Display names of punctuation alone pass as names.
func TestGreetingPunctuationOnlyName(t *testing.T) {
	for _, name := range []string{".", "-", "'", ", ."} {
		t.Run(name, func(t *testing.T) {
			f := reviewFixture(t, inquiry.English, name, "Under the Law on Access to Public Documents I request a copy of the contract.", time.Time{})
			ack := jobsOf(f.jobs(ticket1), inquiry.JobAck)[0].Mail
			if g := firstLine(ack.Text); g != "Dear Sir or Madam," {
				t.Errorf("greeting %q (To name %q)", g, ack.To[0].Name)
			}
		})
	}
}

// A Serbian Cyrillic reply prefix ("Одг:") is not known, while its Latin
// form ("Odg:") is: the acknowledgement's subject stacks "Re: Одг:".
func TestCyrillicReplyPrefixStacks(t *testing.T) {
	for _, subj := range []string{"Odg: Zahtev za dokumente", "Одг: Захтев за документе", "ОДГ: Захтев за документе"} {
		t.Run(subj, func(t *testing.T) {
			f := newFixtureClassifier(t, filepath.Join(t.TempDir(), "s.db"), fixedClassifier{inquiry.GeneralQuestion, inquiry.SerbianCyrl}, nil)
			f.handle(citizen("x@example.net", "marko@example.net", subj, "Поштовани, имам питање о стадиону."))
			got := jobsOf(f.jobs(ticket1), inquiry.JobAck)[0].Mail.Subject
			t.Logf("%q -> %q", subj, got)
			if strings.HasPrefix(got, "Re: ") {
				t.Errorf("subject stacks a second reply prefix: %q", got)
			}
		})
	}
}
