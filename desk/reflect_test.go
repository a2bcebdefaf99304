package desk_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
)

// The acknowledgement goes to an address the sender chose; nothing link-
// like the sender wrote may come back in it.
func TestAckEchoesNoLinks(t *testing.T) {
	const plainSubject = "Pyetje për orarin e bibliotekës"
	tests := []struct {
		name, displayName, subject string
		wantName                   string // in the greeting and in To; "" none
		wantSubject                string // the acknowledgement's subject
	}{
		{"ordinary name", "Arben Krasniqi", plainSubject, "Arben Krasniqi", "Re: " + plainSubject + " [DKP-2026-000001]"},
		{"diacritics", "Đorđe Šarić", plainSubject, "Đorđe Šarić", "Re: " + plainSubject + " [DKP-2026-000001]"},
		{"Cyrillic", "Ђорђе Шарић", plainSubject, "Ђорђе Шарић", "Re: " + plainSubject + " [DKP-2026-000001]"},
		{"apostrophe and initial", "Mary J. O'Neil", plainSubject, "Mary J. O'Neil", "Re: " + plainSubject + " [DKP-2026-000001]"},
		{"spam with a URL", "WIN 1000 EUR at http://evil.example", "WIN 1000 EUR at http://evil.example", "", "[DKP-2026-000001]"},
		{"bare domain", "evil.example", "Visit evil.example today", "", "[DKP-2026-000001]"},
		{"bracketed dot", "evil[.]example", "evil[.]example", "", "[DKP-2026-000001]"},
		{"full-width dot", "evil．example", plainSubject, "", "Re: " + plainSubject + " [DKP-2026-000001]"},
		{"www", "see www . evil", "www.evil", "", "[DKP-2026-000001]"},
		{"an address", "victim@example.org", "write to victim@example.org", "", "[DKP-2026-000001]"},
		{"digits and symbols", "WIN 1000 EUR!!!", plainSubject, "", "Re: " + plainSubject + " [DKP-2026-000001]"},
		{"a sentence, not a name", "Click here now to claim your big prize today", plainSubject, "", "Re: " + plainSubject + " [DKP-2026-000001]"},
		// A message of its own in the subject is not carried whole.
		{"a long subject", "Arben Krasniqi", strings.Repeat("Call 044 123 456 now ", 40), "Arben Krasniqi",
			"Re: " + strings.TrimSpace(strings.Repeat("Call 044 123 456 now ", 7)) + "… [DKP-2026-000001]"},
		{"a subject of exactly the bound", "Arben Krasniqi", strings.Repeat("ë", 150), "Arben Krasniqi", "Re: " + strings.Repeat("ë", 150) + " [DKP-2026-000001]"},
		{"one long word", "Arben Krasniqi", strings.Repeat("ë", 151), "Arben Krasniqi", "Re: " + strings.Repeat("ë", 149) + "… [DKP-2026-000001]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			m := citizen("m1@example.net", "sender@example.net", tt.subject,
				"Të nderuar, a është e hapur biblioteka kombëtare të shtunën? Faleminderit.")
			// The reflector's shape: Reply-To names the victim, with the
			// spam as its display name.
			m.From.Name = tt.displayName
			m.ReplyTo = &inquiry.Address{Name: tt.displayName, Address: "victim@example.org"}
			if d := f.handle(m); d != inquiry.Filed {
				t.Fatalf("%s, want filed", d)
			}
			acks := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)
			if len(acks) != 1 {
				t.Fatalf("%d acknowledgements", len(acks))
			}
			ack := acks[0].Mail
			if ack.To[0] != (inquiry.Address{Name: tt.wantName, Address: "victim@example.org"}) {
				t.Errorf("To %+v, want name %q", ack.To[0], tt.wantName)
			}
			if ack.Subject != tt.wantSubject {
				t.Errorf("Subject %q, want %q", ack.Subject, tt.wantSubject)
			}
			greeting, _, _ := strings.Cut(ack.Text, "\n")
			if tt.wantName != "" && !strings.Contains(greeting, tt.wantName) {
				t.Errorf("greeting %q lacks the name %q", greeting, tt.wantName)
			}
			if tt.wantName == "" && tt.displayName != "" && strings.Contains(ack.Text, tt.displayName) {
				t.Errorf("the text repeats %q: %q", tt.displayName, ack.Text)
			}
			for _, bad := range []string{"evil", "http", "1000"} {
				if strings.Contains(ack.Text+ack.Subject+ack.To[0].Name, bad) {
					t.Errorf("the acknowledgement repeats %q", bad)
				}
			}
			// The ticket keeps what came, for the officers.
			if got := f.ticket("DKP-2026-000001").Sender.Name; got != tt.displayName {
				t.Errorf("ticket sender name %q, want %q as it came", got, tt.displayName)
			}
		})
	}
}

// The per-address cap counts a mailbox: sub-addresses (victim+1@,
// victim+2@ …) reach one person, and a reflector could otherwise send them
// up to the global hourly cap. The acknowledgements that do go, go to the
// address written.
func TestAckCapCountsTheMailboxNotItsSubaddresses(t *testing.T) {
	f := newFixture(t)
	var sentTo []string
	for i := range 12 {
		m := citizen(fmt.Sprintf("r%d@bots.example", i), fmt.Sprintf("bot%d@bots.example", i), "Pyetje për bursat", "Kur hapet thirrja për bursa?")
		m.ReplyTo = &inquiry.Address{Address: fmt.Sprintf("Victim+%d@gmail.example", i)}
		f.handle(m)
		f.now = f.now.Add(20 * time.Second)
	}
	for _, tk := range f.tickets() {
		for _, j := range jobsOf(f.jobs(tk.Number), inquiry.JobAck) {
			sentTo = append(sentTo, j.Mail.To[0].Address)
		}
	}
	if want := []string{"Victim+0@gmail.example", "Victim+1@gmail.example", "Victim+2@gmail.example"}; !slices.Equal(sentTo, want) {
		t.Errorf("acknowledgements to %v within 4 minutes; the per-address cap allows 3 in 10 minutes to one mailbox: %v", sentTo, want)
	}
}
