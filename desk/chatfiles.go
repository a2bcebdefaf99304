package desk

import (
	"context"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/internal/textsafe"
	"sportel/store"
)

// TelegramMaxUpload is the largest file a bot may send through Telegram's
// own Bot API (50 MB for multipart uploads), the default of
// Config.TelegramMaxUpload. A larger file is not queued: Telegram would
// refuse it, the job would fail after the text went, and nobody would
// know.
const TelegramMaxUpload = 50 * 1000 * 1000

// telegramMaxUpload is the largest file the configured Bot API takes.
func (d *Desk) telegramMaxUpload() int64 {
	if d.cfg.TelegramMaxUpload > 0 {
		return d.cfg.TelegramMaxUpload
	}
	return TelegramMaxUpload
}

// UploadLimitText says an upload limit n as people read it: "50 MB",
// "2000 MB", "1.5 MB", "900 KB" (decimal units, as Telegram gives its own).
func UploadLimitText(n int64) string {
	switch {
	case n >= 1000*1000 && n%(1000*1000) == 0:
		return strconv.FormatInt(n/(1000*1000), 10) + " MB"
	case n >= 1000*1000:
		return strconv.FormatFloat(float64(n)/(1000*1000), 'f', 1, 64) + " MB"
	case n >= 1000:
		return strconv.FormatInt(n/1000, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// chatFiles picks, of an officer's files m (the mail answering a Telegram
// ticket, recorded as entry AttachmentsAt), those to send to the citizen's
// chat after the answer's text: every file the officer attached or pasted
// into their words, not images of their signature or the quoted mail
// (NotSent), not a file cut when it came in, not a notification of ours
// attached whole. Files
// over the Bot API's upload limit are returned as tooLarge, to tell the
// officer.
func (d *Desk) chatFiles(m *inquiry.Message) (ref *inquiry.AttachmentRef, tooLarge []inquiry.Attachment) {
	if m == nil || m.AttachmentsAt == nil {
		return nil, nil
	}
	ref = &inquiry.AttachmentRef{TicketID: m.AttachmentsAt.TicketID, EntryID: m.AttachmentsAt.EntryID}
	for i, a := range m.Attachments {
		if a.Truncated || a.NotSent != "" || d.ownMail(a) {
			continue
		}
		if max(a.Size, int64(len(a.Content))) > d.telegramMaxUpload() {
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
// told from our own notification without reading it. Files over
// maxUpload are returned as tooLarge: nobody was told of them when the
// answer was held, since nothing was sent then.
func heldChatFiles(e inquiry.Entry, maxUpload int64) (ref *inquiry.AttachmentRef, tooLarge []inquiry.Attachment) {
	ref = &inquiry.AttachmentRef{TicketID: e.TicketID, EntryID: e.ID}
	for i, a := range e.Attachments {
		mediaType, _, _ := mime.ParseMediaType(a.ContentType)
		// A file with its bytes in the entry was not kept in the raw mail,
		// the one place a job may name.
		// An entry recorded before images were placed (no ContentID kept)
		// sends no image shown inside the mail, as then.
		if a.Truncated || a.NotSent != "" || (a.Inline && a.ContentID == "") || len(a.Content) > 0 ||
			strings.HasPrefix(strings.ToLower(mediaType), "message/") {
			continue
		}
		if a.Size > maxUpload {
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

// leftOutOfChat tells officer (by mail, when they have an address) that
// files of their answer were too large for Telegram, so the citizen got
// the answer without them, and notes it on ticket t.
func (d *Desk) leftOutOfChat(tx store.Tx, officer inquiry.Officer, t *inquiry.Ticket, files []inquiry.Attachment, now time.Time) error {
	if officer.Email != "" {
		tell := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobQuarantined, Recipient: officer.ID, State: inquiry.JobPending,
			NextAt: now, CreatedAt: now, Mail: d.tooLargeForChatMail(officer, t, files, now)}
		if err := tx.AddJob(tell); err != nil {
			return err
		}
	}
	names := make([]string, len(files))
	for i, a := range files {
		names[i] = textsafe.FileName(a.Name)
	}
	return d.note(tx, t.ID, officer.ID, "files not sent to Telegram, over its "+UploadLimitText(d.telegramMaxUpload())+" limit: "+strings.Join(names, ", "), now)
}

// tooLargeForChatMail tells an officer that files of their answer were
// too large for Telegram, so the citizen got the answer without them.
func (d *Desk) tooLargeForChatMail(officer inquiry.Officer, t *inquiry.Ticket, files []inquiry.Attachment, now time.Time) *inquiry.Mail {
	var b strings.Builder
	fmt.Fprintf(&b, "Përgjigjja juaj për %s iu dërgua qytetarit në Telegram, por pa këto skedarë: Telegram nuk pranon nga një bot skedarë mbi %s.\n\n", t.Number, UploadLimitText(d.telegramMaxUpload()))
	writeFileList(&b, files)
	fmt.Fprintf(&b, "\nNdajeni skedarin në pjesë më të vogla, ose dërgojani qytetarit një lidhje për ta shkarkuar. "+
		"Përgjigjja dhe skedarët ruhen në tiketë (sportel tickets show %s).\n", t.Number)
	return d.staffMail("undeliverable", officer, "Sportel: skedarë të padërguar ["+t.Number+"]", b.String(), now)
}

// ChatFileRefused tells the officer who wrote the answer of chat job j that
// Telegram refused its file for good after the text went (reason), and the
// files notSent after it did not go either; it notes it on the ticket. It
// is outbox.ChatFileRefused: asked again for the same job (a retry, a
// crash before the outbox recorded the failure), it queues nothing more.
// An officer who answered in Telegram is told there, one who answered by
// mail (or has no Telegram) by mail.
func (d *Desk) ChatFileRefused(ctx context.Context, j inquiry.Job, file string, notSent []string, reason string) error {
	if j.Chat == nil {
		return fmt.Errorf("tell of a refused file: job %d is no chat message", j.ID)
	}
	now := d.now()
	err := d.store.WithTx(ctx, func(tx store.Tx) error {
		t, ok, err := tx.TicketByID(j.TicketID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("ticket %d not found", j.TicketID)
		}
		// A job queued before jobs named the answer's officer names none.
		officer := d.officerToTell(j.Chat.Officer, t)
		name := fileLabel(file)
		var b strings.Builder
		fmt.Fprintf(&b, "Përgjigjja juaj për %s iu dërgua qytetarit në Telegram, por Telegram nuk e pranoi skedarin %s, ", t.Number, name)
		b.WriteString("dhe qytetari e ka tekstin pa të.")
		if len(notSent) > 0 {
			safe := make([]string, len(notSent))
			for i, n := range notSent {
				safe[i] = fileLabel(n)
			}
			fmt.Fprintf(&b, " As skedarët pas tij nuk u dërguan: %s.", strings.Join(safe, ", "))
		}
		fmt.Fprintf(&b, "\nArsyeja: %s\n\nDërgojeni sërish skedarin (një skedar tjetër, ose më të vogël): /reply %s me skedarin, "+
			"ose përgjigjuni me email njoftimit të tiketës me skedarin bashkëngjitur.", oneLine(reason, 300), t.Number)
		job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobCommandReport, Recipient: officer.ID, State: inquiry.JobPending,
			NextAt: now, CreatedAt: now}
		if len(j.Chat.Files) > 0 && officer.TelegramUserID != 0 {
			job.Chat = &inquiry.ChatMessage{ChatID: officer.TelegramUserID, Text: b.String()}
		} else {
			job.Mail = d.staffMail("undeliverable", officer, "Sportel: skedar i padërguar ["+t.Number+"]", b.String()+"\n", now)
		}
		added, err := tx.AddJobOnce(fmt.Sprintf("chatfile-refused:%d", j.ID), job)
		if err != nil || !added {
			return err
		}
		return d.note(tx, t.ID, officer.ID, fmt.Sprintf("file %s not sent to Telegram after the answer's text: %s", name, oneLine(reason, 300)), now)
	})
	if err != nil {
		return fmt.Errorf("tell of a file Telegram refused (job %d): %w", j.ID, err)
	}
	d.poke()
	return nil
}

// fileLabel is a file's name as told to an officer: one safe line, or
// "(pa emër)" when it has none.
func fileLabel(name string) string {
	if n := textsafe.FileName(name); n != "" {
		return n
	}
	return "(pa emër)"
}

// writeFileList writes files to b a line each, "- name (size bajt)".
func writeFileList(b *strings.Builder, files []inquiry.Attachment) {
	for _, a := range files {
		fmt.Fprintf(b, "- %s (%d bajt)\n", fileLabel(a.Name), max(a.Size, int64(len(a.Content))))
	}
}
