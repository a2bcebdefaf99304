package app

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/mailgen"
	"sportel/outbox"
	"sportel/store"
	"sportel/store/sqlite"
)

// The outbox reads a named attachment from its own entry's raw mail, and
// only from an entry of the ticket named: anything that does not match what
// was recorded when the mail came in fails the job for good.
func TestStoredAttachments(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sportel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	scan := &wireAttachment{name: "skanim.pdf", contentType: "application/pdf",
		content: append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 3000)...)}
	raw := inboundMail{from: "arben@example.net", to: publicAddress, subject: "Kërkesë",
		messageID: "a1@example.net", body: "Shih shtojcën.", attachment: scan}.raw()
	opts := parse.Options{MaxAttachmentBytes: 16}
	read := parse.Attachments(raw, parse.Options{MaxAttachmentBytes: int64(len(raw))})
	if len(read) != 1 {
		t.Fatalf("test mail reads as %d attachments, want 1", len(read))
	}
	rec := []inquiry.Attachment{{Name: read[0].Name, ContentType: read[0].ContentType, Size: read[0].Size}}
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	var tickets [2]int64
	// Filed before names were cut to what a disk takes: the record names
	// the file in full, the raw mail now reads it cut.
	long := *scan
	long.name = strings.Repeat("kontrata-", 30) + ".pdf"
	rawLong := inboundMail{from: "arben@example.net", to: publicAddress, subject: "Kërkesë",
		messageID: "a2@example.net", body: "Shih shtojcën.", attachment: &long}.raw()
	var withFile, noRaw, wrongSize, longName int64
	err = st.WithTx(ctx, func(tx store.Tx) error {
		for i := range tickets {
			tk := &inquiry.Ticket{Number: "DKP-2026-00000" + string(rune('1'+i)), Channel: inquiry.ChannelEmail,
				Sender: inquiry.Address{Address: "arben@example.net"}, Language: inquiry.Albanian,
				Category: inquiry.DocumentRequest, State: inquiry.Assigned, ReceivedAt: now, UpdatedAt: now}
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			tickets[i] = tk.ID
		}
		for _, e := range []struct {
			id   *int64
			raw  []byte
			atts []inquiry.Attachment
		}{
			{&withFile, raw, rec},
			{&noRaw, nil, rec},
			{&wrongSize, raw, []inquiry.Attachment{{Name: rec[0].Name, Size: rec[0].Size + 1}}},
			{&longName, rawLong, []inquiry.Attachment{{Name: long.name, ContentType: rec[0].ContentType, Size: rec[0].Size}}},
		} {
			en := &inquiry.Entry{TicketID: tickets[1], Kind: inquiry.EntryInbound, Author: "arben@example.net",
				Text: "Shih shtojcën.", Attachments: e.atts, Raw: e.raw, CreatedAt: now}
			if err := tx.AddEntry(en); err != nil {
				return err
			}
			*e.id = en.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	src := storedAttachments{store: st, parse: opts}
	tests := []struct {
		name    string
		ref     inquiry.AttachmentRef
		wantErr string // "" : the file, byte for byte
	}{
		{"the file, whatever the cap now", inquiry.AttachmentRef{TicketID: tickets[1], EntryID: withFile, Indexes: []int{0}}, ""},
		{"another ticket's entry", inquiry.AttachmentRef{TicketID: tickets[0], EntryID: withFile, Indexes: []int{0}}, "has no entry"},
		{"no such entry", inquiry.AttachmentRef{TicketID: tickets[1], EntryID: wrongSize + 100, Indexes: []int{0}}, "has no entry"},
		{"no raw mail kept", inquiry.AttachmentRef{TicketID: tickets[1], EntryID: noRaw, Indexes: []int{0}}, "keeps no raw mail"},
		{"no such attachment", inquiry.AttachmentRef{TicketID: tickets[1], EntryID: withFile, Indexes: []int{1}}, "has no attachment 1"},
		{"recorded differently", inquiry.AttachmentRef{TicketID: tickets[1], EntryID: wrongSize, Indexes: []int{0}}, "recorded as"},
		{"named in full before names were cut", inquiry.AttachmentRef{TicketID: tickets[1], EntryID: longName, Indexes: []int{0}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := src.Attachments(ctx, tt.ref)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !outbox.Permanent(err) {
					t.Fatalf("err %v (permanent %v), want a permanent error saying %q", err, outbox.Permanent(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !strings.HasPrefix(got[0].Name, "kontrata-") && got[0].Name != scan.name || !bytes.Equal(got[0].Content, scan.content) {
				t.Fatalf("got %d attachments, want %s byte for byte", len(got), scan.name)
			}
		})
	}
}

// entryCounter counts the entries read from the store.
type entryCounter struct {
	entryReader
	reads int
}

func (c *entryCounter) Entry(ctx context.Context, ticketID, entryID int64) (inquiry.Entry, bool, error) {
	c.reads++
	return c.entryReader.Entry(ctx, ticketID, entryID)
}

// The files of mail just filed are what the store's raw mail gives back,
// byte for byte, for realistic mail: a notification is the same mail
// whether its files come from memory or, after a restart, from the store.
func TestRecentAttachmentsAreTheStoredOnes(t *testing.T) {
	g := mailgen.New(rand.New(rand.NewPCG(5, 8)), publicAddress, time.Now())
	intake := parse.Options{MaxAttachmentBytes: 10 << 20}
	files := 0
	for range 600 {
		m := g.Next()
		if m.Attachment == nil {
			continue
		}
		parsed := parse.Parse(m.Raw, time.Now(), intake)
		stored := parse.Attachments(m.Raw, parse.Options{MaxAttachmentBytes: int64(len(m.Raw)) + 1})
		if len(parsed.Attachments) != len(stored) {
			t.Fatalf("%s: intake reads %d files, the store %d", m.MessageID, len(parsed.Attachments), len(stored))
		}
		for i, a := range parsed.Attachments {
			s := stored[i]
			if a.Name != s.Name || a.ContentType != s.ContentType || a.Size != s.Size || !bytes.Equal(a.Content, s.Content) {
				t.Errorf("%s file %d: intake %q %s %d bytes, store %q %s %d bytes", m.MessageID, i,
					a.Name, a.ContentType, len(a.Content), s.Name, s.ContentType, len(s.Content))
			}
			files++
		}
	}
	if files < 10 {
		t.Fatalf("only %d files in 600 realistic mails", files)
	}
}

// Files kept in memory are used only when every file named is there whole;
// otherwise, and for what was never kept, the store is read.
func TestStoredAttachmentsPreferRecent(t *testing.T) {
	whole := inquiry.Attachment{Name: "a.pdf", ContentType: "application/pdf", Size: 4, Content: []byte("%PDF")}
	cut := inquiry.Attachment{Name: "b.zip", ContentType: "application/zip", Size: 9000, Content: []byte("PK"), Truncated: true}
	recent := newRecentAttachments(1 << 20)
	recent.filed([]*inquiry.Message{
		{AttachmentsAt: &inquiry.AttachmentRef{TicketID: 1, EntryID: 10}, Attachments: []inquiry.Attachment{whole, cut}},
		{AttachmentsAt: &inquiry.AttachmentRef{TicketID: 1, EntryID: 11}, Attachments: []inquiry.Attachment{whole}},
	}, 1) // the second was not committed
	tests := []struct {
		name      string
		ref       inquiry.AttachmentRef
		fromStore bool
	}{
		{"kept, whole", inquiry.AttachmentRef{TicketID: 1, EntryID: 10, Indexes: []int{0}}, false},
		{"kept, one cut", inquiry.AttachmentRef{TicketID: 1, EntryID: 10, Indexes: []int{0, 1}}, true},
		{"kept, no such file", inquiry.AttachmentRef{TicketID: 1, EntryID: 10, Indexes: []int{2}}, true},
		{"not committed", inquiry.AttachmentRef{TicketID: 1, EntryID: 11, Indexes: []int{0}}, true},
		{"another ticket", inquiry.AttachmentRef{TicketID: 2, EntryID: 10, Indexes: []int{0}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &entryCounter{entryReader: noEntries{}}
			src := storedAttachments{store: store, recent: recent}
			got, err := src.Attachments(context.Background(), tt.ref)
			if read := store.reads > 0; read != tt.fromStore {
				t.Fatalf("read the store: %v, want %v", read, tt.fromStore)
			}
			if !tt.fromStore && (err != nil || len(got) != 1 || !bytes.Equal(got[0].Content, whole.Content)) {
				t.Fatalf("got %d files, %v; want the kept one", len(got), err)
			}
		})
	}
}

// noEntries is a store without entries.
type noEntries struct{}

func (noEntries) Entry(context.Context, int64, int64) (inquiry.Entry, bool, error) {
	return inquiry.Entry{}, false, nil
}

// The kept files stay within their byte budget, the oldest going first; a
// mail with more than a quarter of the budget is not kept.
func TestRecentAttachmentsBudget(t *testing.T) {
	file := func(n int) []inquiry.Attachment {
		return []inquiry.Attachment{{Name: "f", Size: int64(n), Content: make([]byte, n)}}
	}
	recent := newRecentAttachments(1000)
	for i, n := range []int{200, 200, 200, 200, 250, 251} {
		recent.keep(attachmentKey{1, int64(i)}, file(n))
	}
	if recent.size > recent.max {
		t.Errorf("%d bytes kept, budget %d", recent.size, recent.max)
	}
	for i, want := range []bool{false, true, true, true, true, false} {
		_, ok := recent.pick(inquiry.AttachmentRef{TicketID: 1, EntryID: int64(i), Indexes: []int{0}})
		if ok != want {
			t.Errorf("entry %d kept: %v, want %v", i, ok, want)
		}
	}
}

// holdsTicket reports whether r keeps files of an entry of ticketID.
func (r *recentAttachments) holdsTicket(ticketID int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.byKey {
		if k.ticketID == ticketID {
			return true
		}
	}
	return false
}
