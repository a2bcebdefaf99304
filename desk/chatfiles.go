package desk

import (
	"fmt"
	"mime"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/internal/textsafe"
)

// TelegramMaxUpload is the largest file a bot may send (the Bot API's
// 50 MB for multipart uploads). A larger file is not queued: Telegram
// would refuse it, the job would fail after the text went, and nobody
// would know.
const TelegramMaxUpload = 50 * 1000 * 1000

// chatFiles picks, of an officer's files m (the mail answering a Telegram
// ticket, recorded as entry AttachmentsAt), those to send to the citizen's
// chat after the answer's text: every file the officer attached, not
// images shown inside the mail's text (a signature's logo), not a file
// cut when it came in, not a notification of ours attached whole. Files
// over Telegram's upload limit are returned as tooLarge, to tell the
// officer.
func (d *Desk) chatFiles(m *inquiry.Message) (ref *inquiry.AttachmentRef, tooLarge []inquiry.Attachment) {
	if m == nil || m.AttachmentsAt == nil {
		return nil, nil
	}
	ref = &inquiry.AttachmentRef{TicketID: m.AttachmentsAt.TicketID, EntryID: m.AttachmentsAt.EntryID}
	for i, a := range m.Attachments {
		if a.Truncated || a.Inline || d.ownMail(a) {
			continue
		}
		if max(a.Size, int64(len(a.Content))) > TelegramMaxUpload {
			tooLarge = append(tooLarge, a)
			continue
		}
		ref.Indexes = append(ref.Indexes, i)
	}
	if len(ref.Indexes) == 0 {
		ref = nil
	}
	return ref, tooLarge
}

// heldChatFiles is chatFiles for an answer held until its citizen opened a
// private chat (entry e): the entry keeps its files' names and sizes, not
// their bytes, so a mail attached whole is left out, since it cannot be
// told from our own notification without reading it.
func heldChatFiles(e inquiry.Entry) *inquiry.AttachmentRef {
	ref := &inquiry.AttachmentRef{TicketID: e.TicketID, EntryID: e.ID}
	for i, a := range e.Attachments {
		mediaType, _, _ := mime.ParseMediaType(a.ContentType)
		// A file with its bytes in the entry was not kept in the raw mail,
		// the one place a job may name.
		if a.Truncated || a.Inline || len(a.Content) > 0 || strings.HasPrefix(strings.ToLower(mediaType), "message/") || a.Size > TelegramMaxUpload {
			continue
		}
		ref.Indexes = append(ref.Indexes, i)
	}
	if len(ref.Indexes) == 0 {
		return nil
	}
	return ref
}

// tooLargeForChatMail tells an officer that files of their answer were
// too large for Telegram, so the citizen got the answer without them.
func (d *Desk) tooLargeForChatMail(officer inquiry.Officer, t *inquiry.Ticket, files []inquiry.Attachment, now time.Time) *inquiry.Mail {
	var b strings.Builder
	fmt.Fprintf(&b, "Përgjigjja juaj për %s iu dërgua qytetarit në Telegram, por pa këto skedarë: Telegram nuk pranon nga një bot skedarë mbi 50 MB.\n\n", t.Number)
	for _, a := range files {
		name := textsafe.FileName(a.Name)
		if name == "" {
			name = "(pa emër)"
		}
		fmt.Fprintf(&b, "- %s (%d bajt)\n", name, max(a.Size, int64(len(a.Content))))
	}
	fmt.Fprintf(&b, "\nNdajeni skedarin në pjesë më të vogla, ose dërgojani qytetarit një lidhje për ta shkarkuar. "+
		"Përgjigjja dhe skedarët ruhen në tiketë (sportel tickets show %s).\n", t.Number)
	return d.staffMail("undeliverable", officer, "Sportel: skedarë të padërguar ["+t.Number+"]", b.String(), now)
}
