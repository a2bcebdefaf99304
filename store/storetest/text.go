package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// storedAs reports whether got is want as a driver may keep it: as written
// (SQLite), or with each NUL and each byte that is not UTF-8 replaced by
// U+FFFD (PostgreSQL's text holds neither).
func storedAs(got, want string) bool {
	return got == want || got == strings.ReplaceAll(strings.ToValidUTF8(want, "\uFFFD"), "\x00", "\uFFFD")
}

// testNotText holds every driver to taking in text that is not text: a
// NUL (an "=00" in a quoted-printable body) or bytes that are not UTF-8 (a
// header in a charset it does not declare). A message carrying them is
// filed, not refused on every retry: a driver that cannot keep them as
// written keeps U+FFFD in their place (storedAs), and a source id or a
// reference is still found under the id the caller has.
func testNotText(t *testing.T, open func(t *testing.T) store.Store) {
	cases := []struct{ name, odd string }{
		{"NUL", "Kërkesë\x00 për"},
		{"Latin-1 byte", "K\xebrkes\xeb p\xebr"},
		{"cut sequence", "Захтев \xd0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			odd := c.odd
			source, ref := "msgid:"+odd, odd+"@example.org"
			raw := []byte("Subject: " + odd + "\r\n\r\n" + odd)
			tk := newTicket("DKP-2026-000001", t0)
			tk.Subject, tk.Sender.Name, tk.Reason = odd, odd, odd
			e := &inquiry.Entry{Kind: inquiry.EntryInbound, SourceID: source, MessageID: ref, Author: odd,
				Subject: odd, Text: odd, Raw: raw, CreatedAt: t0}
			sa := &inquiry.SetAside{Kind: inquiry.SetAsideQuarantine, SourceID: odd, From: odd, Subject: odd,
				Reason: odd, Raw: raw, ReceivedAt: t0}
			j := &inquiry.Job{Kind: inquiry.JobNotify, Recipient: odd, NextAt: t0, CreatedAt: t0,
				Mail: &inquiry.Mail{MessageID: "n1@sportel", Subject: odd, Text: odd}}
			err := s.WithTx(ctx, func(tx store.Tx) error {
				if err := tx.CreateTicket(tk); err != nil {
					return err
				}
				e.TicketID, j.TicketID = tk.ID, tk.ID
				if err := tx.AddEntry(e); err != nil {
					return err
				}
				if err := tx.AddSetAside(sa); err != nil {
					return err
				}
				if err := tx.AddJob(j); err != nil {
					return err
				}
				if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: ref, TicketID: tk.ID}); err != nil {
					return err
				}
				return tx.MarkSource(source, tk.ID, t0)
			})
			if err != nil {
				t.Fatalf("filing a message with %q: %v", odd, err)
			}
			if err := s.SetState(ctx, "chat.lang.1", odd); err != nil {
				t.Errorf("SetState(%q): %v", odd, err)
			}
			if err := s.AddAudit(ctx, &store.AuditEntry{OfficerID: "officer1", Action: "note", Detail: odd, At: t0}); err != nil {
				t.Errorf("AddAudit(%q): %v", odd, err)
			}
			if _, err := s.ClaimJobs(ctx, "w", t0, time.Minute, 1); err != nil {
				t.Fatal(err)
			}
			if err := s.RetryJob(ctx, j.ID, "w", t0, odd); err != nil {
				t.Errorf("RetryJob with error %q: %v", odd, err)
			}

			got, ok, err := s.TicketByID(ctx, tk.ID)
			if err != nil || !ok {
				t.Fatalf("TicketByID = %v, %v", ok, err)
			}
			var bad []string
			check := func(what, got string) {
				if !storedAs(got, odd) {
					bad = append(bad, fmt.Sprintf("%s %q", what, got))
				}
			}
			check("ticket subject", got.Subject)
			check("sender name", got.Sender.Name)
			check("reason", got.Reason)
			entries, err := s.Entries(ctx, tk.ID)
			if err != nil || len(entries) != 1 {
				t.Fatalf("Entries = %d, %v", len(entries), err)
			}
			check("entry subject", entries[0].Subject)
			check("entry text", entries[0].Text)
			check("entry author", entries[0].Author)
			if string(entries[0].Raw) != string(raw) {
				t.Errorf("raw mail %q, want %q kept as it was", entries[0].Raw, raw)
			}
			sas, err := s.ListSetAside(ctx, "", 0)
			if err != nil || len(sas) != 1 {
				t.Fatalf("ListSetAside = %d, %v", len(sas), err)
			}
			check("set-aside subject", sas[0].Subject)
			check("set-aside reason", sas[0].Reason)
			if string(sas[0].Raw) != string(raw) {
				t.Errorf("set-aside raw %q, want %q kept as it was", sas[0].Raw, raw)
			}
			jobs, err := s.TicketJobs(ctx, tk.ID)
			if err != nil || len(jobs) != 1 {
				t.Fatalf("TicketJobs = %d, %v", len(jobs), err)
			}
			check("job recipient", jobs[0].Recipient)
			check("job error", jobs[0].LastError)
			check("job mail text", jobs[0].Mail.Text)
			if v, _, err := s.GetState(ctx, "chat.lang.1"); err != nil {
				t.Error(err)
			} else {
				check("state", v)
			}
			if a, err := s.Audit(ctx, 0); err != nil || len(a) != 1 {
				t.Errorf("Audit = %d, %v", len(a), err)
			} else {
				check("audit detail", a[0].Detail)
			}
			if len(bad) > 0 {
				t.Errorf("kept neither as written nor with U+FFFD for %q: %s", odd, strings.Join(bad, "; "))
			}

			// Found under the ids the caller has.
			if taken, err := s.SourcesTaken(ctx, []string{source}); err != nil || !taken[source] {
				t.Errorf("SourcesTaken(%q) = %v, %v; want taken", source, taken, err)
			}
			err = s.WithTx(ctx, func(tx store.Tx) error { return tx.MarkSource(source, tk.ID, t0) })
			if !errors.Is(err, store.ErrSourceTaken) {
				t.Errorf("second MarkSource(%q) = %v, want ErrSourceTaken", source, err)
			}
			if tr, ok, err := s.ThreadRef(ctx, ref); err != nil || !ok || tr.TicketID != tk.ID {
				t.Errorf("ThreadRef(%q) = %+v, %v, %v; want ticket %d", ref, tr, ok, err, tk.ID)
			}
		})
	}
}

// testLookupNotText: a look-up by text that is not text (a NUL or bytes
// that are not UTF-8 in a number or a filter, as a hand-made request or a
// command may carry) finds nothing, on every driver, rather than failing.
func testLookupNotText(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ids := createTickets(t, s, 1)
	for _, odd := range []string{"DKP-2026-000001\x00", "DKP-2026-00000\xff"} {
		if tk, ok, err := s.TicketByNumber(ctx, odd); err != nil || ok {
			t.Errorf("TicketByNumber(%q) = %s, %v, %v; want none", odd, tk.Number, ok, err)
		}
		filters := []inquiry.TicketFilter{
			{OfficerID: odd}, {Category: inquiry.Category(odd)}, {Language: inquiry.Language(odd)},
			{Channel: inquiry.Channel(odd)}, {States: []inquiry.State{inquiry.State(odd)}},
			{SenderAddress: odd}, {Text: odd},
		}
		for _, f := range filters {
			if got, err := s.ListTickets(ctx, f); err != nil || len(got) != 0 {
				t.Errorf("ListTickets(%+v) = %d tickets, %v; want none", f, len(got), err)
			}
			page, err := s.ListTicketPage(ctx, f, store.PageAt{Size: 10})
			if err != nil || len(page.Tickets) != 0 || page.Total != 0 {
				t.Errorf("ListTicketPage(%+v) = %d tickets of %d, %v; want none", f, len(page.Tickets), page.Total, err)
			}
		}
		inTx(t, s, func(tx store.Tx) error {
			if tk, ok, err := tx.TicketByNumber(odd); err != nil || ok {
				t.Errorf("Tx.TicketByNumber(%q) = %s, %v, %v; want none", odd, tk.Number, ok, err)
			}
			if j, ok, err := tx.JobByMessageID(odd); err != nil || ok {
				t.Errorf("JobByMessageID(%q) = %d, %v, %v; want none", odd, j.ID, ok, err)
			}
			if j, ok, err := tx.LatestJob(ids[0], inquiry.JobAck, odd); err != nil || ok {
				t.Errorf("LatestJob(%q) = %d, %v, %v; want none", odd, j.ID, ok, err)
			}
			if n, err := tx.CountJobs(inquiry.JobAck, odd, t0); err != nil || n != 0 {
				t.Errorf("CountJobs(%q) = %d, %v; want 0", odd, n, err)
			}
			if jobs, err := tx.PendingJobs(ids[0], inquiry.JobAck, odd); err != nil || len(jobs) != 0 {
				t.Errorf("PendingJobs(%q) = %d, %v; want none", odd, len(jobs), err)
			}
			return nil
		})
	}
}

// testLongText: a message of more text than a search index holds at once
// (PostgreSQL's tsvector: 1 MB of distinct words), in its subject as in
// its body, is filed on every driver, whole, and found by its first words.
// A header may be 256 KiB, which a legacy charset decoded and Hangul
// decomposed (PostgreSQL's folding) can make more than a megabyte.
func testLongText(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	var b strings.Builder
	b.WriteString("Stadiumi ")
	for i := 0; b.Len() < 1200000; i++ {
		fmt.Fprintf(&b, "fjala%d ", i)
	}
	long := b.String()
	tk := newTicket("DKP-2026-000001", t0)
	tk.Subject = long
	err := s.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		return tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Subject: long, Text: long, CreatedAt: t0})
	})
	if err != nil {
		t.Fatalf("filing a message with %d bytes of subject and text: %v", len(long), err)
	}
	got, ok, err := s.TicketByID(ctx, tk.ID)
	if err != nil || !ok || got.Subject != long {
		t.Errorf("TicketByID = %d bytes of subject, %v, %v; want %d", len(got.Subject), ok, err, len(long))
	}
	for _, q := range []string{"stadiumi", "fjala1"} {
		if found, err := s.ListTickets(ctx, inquiry.TicketFilter{Text: q}); err != nil || len(found) != 1 {
			t.Errorf("ListTickets(Text %q) = %d tickets, %v; want the long one", q, len(found), err)
		}
	}
}
