package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"sportel/inquiry"
	"sportel/store"
)

// Everything a citizen sends reaches the officers' pages: their subject,
// text, name and address, and their files' names and types (a Telegram
// document's type is whatever the sender's app said). None of it may become
// markup, a link or a script, nor carry the bidi controls that reorder
// what the officer reads ("a.pdf", U+202E, "exe.") or a line break
// that fakes a line of its own.
func TestCitizenFieldsShownInert(t *testing.T) {
	payloads := []string{
		`<script>alert(1)</script>`,
		`"><img src=x onerror=alert(1)>`,
		`javascript:alert(1)`,
		"fatura\u202efdp.exe",
		"a\u2066b\u2069",
	}
	fields := []struct {
		name string
		set  func(tk *inquiry.Ticket, e *inquiry.Entry, p string)
	}{
		{"subject", func(tk *inquiry.Ticket, e *inquiry.Entry, p string) { tk.Subject, e.Subject = p, p }},
		{"text", func(_ *inquiry.Ticket, e *inquiry.Entry, p string) { e.Text = p }},
		{"sender's name", func(tk *inquiry.Ticket, _ *inquiry.Entry, p string) { tk.Sender.Name = p }},
		{"author", func(_ *inquiry.Ticket, e *inquiry.Entry, p string) { e.Author = p }},
		{"file name", func(_ *inquiry.Ticket, e *inquiry.Entry, p string) { e.Attachments[0].Name = p }},
		{"file type", func(_ *inquiry.Ticket, e *inquiry.Entry, p string) { e.Attachments[0].ContentType = p }},
	}
	f := newFixture(t, nil)
	b := f.browser()
	b.signIn(officers[1])
	ctx := context.Background()
	n := 0
	for _, fl := range fields {
		for _, p := range payloads {
			n++
			number := fmt.Sprintf("DKP-2026-%06d", n)
			t.Run(fl.name+" "+fmt.Sprintf("%q", p), func(t *testing.T) {
				err := f.store.WithTx(ctx, func(tx store.Tx) error {
					tk := &inquiry.Ticket{Number: number, Channel: inquiry.ChannelTelegram,
						Sender: inquiry.Address{Name: "Arben", Address: "tg:1234"}, Subject: "Pyetje", Language: inquiry.Albanian,
						Category: inquiry.GeneralQuestion, OfficerID: "jusuf", State: inquiry.Assigned, ReceivedAt: f.now, UpdatedAt: f.now}
					e := &inquiry.Entry{Kind: inquiry.EntryInbound, Author: "Arben", Subject: "Pyetje", Text: "Tekst", CreatedAt: f.now,
						Attachments: []inquiry.Attachment{{Name: "leje.pdf", ContentType: "application/pdf", Size: 3, Content: []byte("abc")}}}
					fl.set(tk, e, p)
					if err := tx.CreateTicket(tk); err != nil {
						return err
					}
					e.TicketID = tk.ID
					return tx.AddEntry(e)
				})
				if err != nil {
					t.Fatal(err)
				}
				// The queue lists every ticket filed so far, this one among
				// them (fewer than a page).
				for _, path := range []string{"/t/" + number, "/"} {
					r := b.get(path)
					if r.status != 200 {
						t.Fatalf("GET %s = %d", path, r.status)
					}
					if path == "/" && !strings.Contains(r.body, `data-number="`+number+`"`) {
						t.Fatalf("the queue does not list %s", number)
					}
					_, main, _ := strings.Cut(r.body, "<main")
					for _, bad := range []string{"<script", "<img", `href="javascript`, "\u202e", "\u2066", "\u2069"} {
						if strings.Contains(main, bad) {
							i := strings.Index(main, bad)
							t.Errorf("GET %s: the page holds %q as it came: …%q…", path, bad, main[max(0, i-80):min(len(main), i+80)])
						}
					}
				}
			})
		}
	}
}
