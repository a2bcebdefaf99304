package app

import (
	"context"
	"fmt"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// entryReader is what storedAttachments needs of the store.
type entryReader interface {
	Entry(ctx context.Context, ticketID, entryID int64) (inquiry.Entry, bool, error)
}

// storedAttachments reads the attachments a mail names from the raw mail
// its entry keeps: the store holds each byte once, and the outbox reads
// them only when it sends. Parsing the same raw mail gives the same bytes,
// so a resent mail is the same mail.
type storedAttachments struct {
	store entryReader
	parse parse.Options
}

func (s storedAttachments) Attachments(ctx context.Context, ref inquiry.AttachmentRef) ([]inquiry.Attachment, error) {
	// Only the entry named: a ticket's other entries keep raw mail too.
	e, ok, err := s.store.Entry(ctx, ref.TicketID, ref.EntryID)
	if err != nil {
		return nil, fmt.Errorf("read entry %d of ticket %d: %w", ref.EntryID, ref.TicketID, err)
	}
	if !ok {
		return nil, attachmentError(fmt.Sprintf("ticket %d has no entry %d", ref.TicketID, ref.EntryID))
	}
	if len(e.Raw) == 0 {
		return nil, attachmentError(fmt.Sprintf("entry %d keeps no raw mail", e.ID))
	}
	opts := s.parse
	// The cap applied when the mail came in; nothing named here was cut
	// then, so nothing may be cut now, whatever the configuration says.
	opts.MaxAttachmentBytes = int64(len(e.Raw)) + 1
	// Only the files: the text was read when the mail came in.
	read := parse.Attachments(e.Raw, opts)
	out := make([]inquiry.Attachment, 0, len(ref.Indexes))
	for _, i := range ref.Indexes {
		if i < 0 || i >= len(read) || i >= len(e.Attachments) {
			return nil, attachmentError(fmt.Sprintf("entry %d has no attachment %d", e.ID, i))
		}
		a, rec := read[i], e.Attachments[i]
		if a.Name != rec.Name || a.Size != rec.Size {
			return nil, attachmentError(fmt.Sprintf("entry %d attachment %d reads as %q (%d bytes), recorded as %q (%d bytes)",
				e.ID, i, a.Name, a.Size, rec.Name, rec.Size))
		}
		out = append(out, a)
	}
	return out, nil
}

// attachmentError is a named attachment that cannot be read: retrying will
// not help, so the job fails with the reason.
type attachmentError string

func (e attachmentError) Error() string   { return string(e) }
func (e attachmentError) Permanent() bool { return true }
