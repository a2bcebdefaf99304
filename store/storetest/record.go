package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// recordMail is an email with a file, kept as it came: its file's bytes
// are in the raw mail, not in the entry's attachments.
const recordMail = "From: arta@example.org\r\nSubject: Leje\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nKërkoj lejen.\r\n" +
	"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=leje.pdf\r\n\r\n%PDF-1.4\r\n--b--\r\n"

// testRecordPage: RecordPage lists a ticket's record a page at a time,
// newest page first and each page oldest first, as Entries has it but
// without raw mail or files' bytes, saying what the entry holds instead.
func testRecordPage(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	var ticket, other int64
	inTx(t, s, func(tx store.Tx) error {
		tk, ot := newTicket("DKP-2026-000001", t0), newTicket("DKP-2026-000002", t0)
		for _, x := range []*inquiry.Ticket{tk, ot} {
			if err := tx.CreateTicket(x); err != nil {
				return err
			}
		}
		ticket, other = tk.ID, ot.ID
		at := func(i int) inquiry.Entry {
			return inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arta@example.org",
				Text: fmt.Sprintf("entry %d", i), CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		}
		entries := []inquiry.Entry{}
		// An email whose files are in its raw mail (and an inline logo).
		mail := at(0)
		mail.Subject, mail.MessageID, mail.SourceID, mail.Raw = "Leje", "m1@example.org", "uid:1:1", []byte(recordMail)
		mail.Attachments = []inquiry.Attachment{
			{Name: "leje.pdf", ContentType: "application/pdf", Size: 10},
			{Name: "logo.png", ContentType: "image/png", Size: 120, Inline: true},
		}
		entries = append(entries, mail)
		// A Telegram message whose files are in the entry: one kept, one
		// too big to fetch, one whose name holds what JSON escapes.
		chat := at(1)
		chat.Author, chat.SourceID = "tg:42", "tg:42:7"
		chat.Attachments = []inquiry.Attachment{
			{Name: "foto.jpg", ContentType: "image/jpeg", Size: 4096, Content: []byte(strings.Repeat("j", 4096)), FileID: "AgAD1"},
			{Name: "video.mp4", ContentType: "video/mp4", Size: 1 << 30, Truncated: true, FileID: "BAAD2"},
			{Name: "a\x00\"b\u202e.txt", ContentType: "text/plain", Size: 3, Content: []byte("abc"), FileID: "BQAD3"},
		}
		entries = append(entries, chat)
		// An officer's note: no attachments, no raw mail.
		note := at(2)
		note.Kind, note.Author, note.Text = inquiry.EntryNote, "officer1", "Thirra qytetaren."
		entries = append(entries, note)
		for i := 3; i < 7; i++ {
			entries = append(entries, at(i))
		}
		for i := range entries {
			if err := tx.AddEntry(&entries[i]); err != nil {
				return err
			}
			// The other ticket's entries fall between this one's ids.
			if err := tx.AddEntry(&inquiry.Entry{TicketID: ot.ID, Kind: inquiry.EntryInbound, Text: "other", CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	all, err := s.Entries(ctx, ticket)
	if err != nil || len(all) != 7 {
		t.Fatalf("Entries = %d entries, %v; want 7", len(all), err)
	}
	// What a page must say of each entry, from the whole entry.
	want := make([]store.RecordEntry, len(all))
	for i, e := range all {
		w := store.RecordEntry{Entry: e, RawSize: int64(len(e.Raw))}
		w.Raw, w.Attachments = nil, nil
		for _, a := range e.Attachments {
			f := store.RecordFile{Attachment: a, HasContent: a.Content != nil}
			f.Content = nil
			w.Files = append(w.Files, f)
		}
		want[i] = w
	}
	if want[0].RawSize != int64(len(recordMail)) || len(want[1].Files) != 3 || !want[1].Files[0].HasContent || want[1].Files[1].HasContent {
		t.Fatalf("the record as Entries reads it is not as written: %+v", want[:2])
	}
	id := func(i int) int64 { return all[i].ID }
	tests := []struct {
		name      string
		ticket    int64
		before    int64
		limit     int
		want      []store.RecordEntry
		wantOlder bool
	}{
		{"the newest page", ticket, 0, 3, want[4:], true},
		{"the page before it", ticket, id(4), 3, want[1:4], true},
		{"the oldest page", ticket, id(1), 3, want[:1], false},
		{"a page that holds all", ticket, 0, 7, want, false},
		{"a page larger than the record", ticket, 0, 100, want, false},
		{"one entry", ticket, id(3), 1, want[2:3], true},
		{"before an id that is no entry of the ticket", ticket, id(3) + 1, 2, want[2:4], true},
		{"before the first entry", ticket, id(0), 3, nil, false},
		{"another ticket", other, 0, 100, nil, false},
		{"no such ticket", other + 100, 0, 3, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, older, err := s.RecordPage(ctx, tt.ticket, tt.before, tt.limit)
			if err != nil {
				t.Fatalf("RecordPage(%d, %d, %d): %v", tt.ticket, tt.before, tt.limit, err)
			}
			if older != tt.wantOlder {
				t.Errorf("RecordPage(%d, %d, %d): older = %v, want %v", tt.ticket, tt.before, tt.limit, older, tt.wantOlder)
			}
			if tt.ticket == other {
				if len(got) != len(all) {
					t.Errorf("RecordPage of the other ticket = %d entries, want %d", len(got), len(all))
				}
				for _, e := range got {
					if e.TicketID != other || e.Text != "other" {
						t.Errorf("RecordPage of the other ticket lists %+v", e)
					}
				}
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("RecordPage(%d, %d, %d) = %d entries, want %d", tt.ticket, tt.before, tt.limit, len(got), len(tt.want))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], tt.want[i]) {
					t.Errorf("entry %d of the page:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
	// What the page's files say of their download (store.RecordEntry.Stored).
	page, _, err := s.RecordPage(ctx, ticket, id(3), 3)
	if err != nil || len(page) != 3 {
		t.Fatalf("RecordPage = %d entries, %v", len(page), err)
	}
	stored := [][]bool{{true, true}, {true, false, true}, nil}
	for i, e := range page {
		var got []bool
		for k := range e.Files {
			got = append(got, e.Stored(k))
		}
		if !reflect.DeepEqual(got, stored[i]) {
			t.Errorf("entry %d (%s): files stored %v, want %v", i, e.Text, got, stored[i])
		}
	}
	if _, _, err := s.RecordPage(ctx, ticket, 0, 0); err == nil {
		t.Error("RecordPage with limit 0: no error")
	}
}
