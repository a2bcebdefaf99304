package app

import (
	"context"
	"fmt"
	"slices"
	"sync"

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
	// recent, when set, holds the files of mail just filed; the rest is
	// read from the store.
	recent *recentAttachments
}

func (s storedAttachments) Attachments(ctx context.Context, ref inquiry.AttachmentRef) ([]inquiry.Attachment, error) {
	if out, ok := s.recent.pick(ref); ok {
		return out, nil
	}
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
		if !parse.Recorded(a, rec) {
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

// recentAttachments keeps, for a short while and up to a byte budget, the
// files of mail just filed, as intake parsed them: the notification about a
// mail goes out moments after it is filed, and reading its raw mail back
// from the store and parsing it again took a twentieth of a backlog's CPU.
// Only what was committed is kept (an entry, once committed, never changes
// and is never deleted, so its ref stays true), and only whole files, which
// the store's raw mail gives back byte for byte (parsing the same bytes
// the same way). What was never kept or is gone (a restart, another
// instance's intake, a slow outbox) is read from the store as before.
type recentAttachments struct {
	max int64 // bytes of file content kept at most

	mu    sync.Mutex
	size  int64
	order []attachmentKey // oldest first
	byKey map[attachmentKey][]inquiry.Attachment
}

type attachmentKey struct{ ticketID, entryID int64 }

// recentAttachmentsBytes is the budget: at a backlog's pace, the files of
// about a second of intake; far below the memory an ordinary day uses.
const recentAttachmentsBytes = 8 << 20

func newRecentAttachments(max int64) *recentAttachments {
	return &recentAttachments{max: max, byKey: map[attachmentKey][]inquiry.Attachment{}}
}

// filed keeps the files of messages the desk has just committed, those of
// ms[:len(committed)] that name where their files are kept.
func (r *recentAttachments) filed(ms []*inquiry.Message, committed int) {
	if r == nil {
		return
	}
	for _, m := range ms[:committed] {
		if at := m.AttachmentsAt; at != nil {
			r.keep(attachmentKey{at.TicketID, at.EntryID}, m.Attachments)
		}
	}
}

func (r *recentAttachments) keep(k attachmentKey, atts []inquiry.Attachment) {
	var size int64
	for _, a := range atts {
		size += int64(len(a.Content))
	}
	if size == 0 || size > r.max/4 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byKey[k]; ok {
		return
	}
	for r.size+size > r.max && len(r.order) > 0 {
		old := r.order[0]
		r.order = r.order[1:]
		for _, a := range r.byKey[old] {
			r.size -= int64(len(a.Content))
		}
		delete(r.byKey, old)
	}
	r.byKey[k] = slices.Clone(atts)
	r.order = append(r.order, k)
	r.size += size
}

// pick returns the files ref names when they are kept, each whole.
func (r *recentAttachments) pick(ref inquiry.AttachmentRef) ([]inquiry.Attachment, bool) {
	if r == nil {
		return nil, false
	}
	r.mu.Lock()
	atts, ok := r.byKey[attachmentKey{ref.TicketID, ref.EntryID}]
	r.mu.Unlock()
	if !ok {
		return nil, false
	}
	out := make([]inquiry.Attachment, 0, len(ref.Indexes))
	for _, i := range ref.Indexes {
		if i < 0 || i >= len(atts) {
			return nil, false
		}
		a := atts[i]
		if a.Truncated || int64(len(a.Content)) != a.Size {
			return nil, false
		}
		out = append(out, a)
	}
	return out, true
}
