package app

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
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
	var withFile, noRaw, wrongSize int64
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
			if len(got) != 1 || got[0].Name != scan.name || !bytes.Equal(got[0].Content, scan.content) {
				t.Fatalf("got %d attachments, want %s byte for byte", len(got), scan.name)
			}
		})
	}
}
