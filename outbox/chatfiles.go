package outbox

import (
	"context"
	"encoding/json"
	"fmt"

	"sportel/inquiry"
)

// ChatFileSender sends one file to a chat as a document, in one request
// (Telegram's sendDocument), under the send's point of no return as
// SendChat's requests are. The chat transport implements it beside
// ChatSender; without it a chat job with files fails for good.
type ChatFileSender interface {
	SendChatFile(ctx context.Context, chatID int64, f inquiry.Attachment) error
}

// chatProgress is how far a chat job with files has gone: Sent parts, the
// text first and then each file, and Ref, the text's reference, which the
// job records when done. It is written after each part Telegram accepted,
// so a send cut off or crashed part way goes on where it stopped.
type chatProgress struct {
	Sent int    `json:"sent"`
	Ref  string `json:"ref"`
}

// chatProgressKey is the store state key of job id's progress.
func chatProgressKey(id int64) string { return fmt.Sprintf("outbox.chat_parts.%d", id) }

// deliverChatFiles sends a chat job that names stored files: its text,
// then each file, every one its own request. Telegram has no idempotency
// key, so what a crash costs is bounded by recording each part as it
// goes: a retry (after a crash, a cut or a failure) sends only the parts
// not recorded, so at most the one in flight goes twice. The files are
// read before anything is sent: a file that cannot be read fails the job
// with nothing sent, not with the text alone in the chat.
func (o *Outbox) deliverChatFiles(ctx context.Context, j inquiry.Job) (string, error) {
	files, ok := o.chat.(ChatFileSender)
	if !ok {
		return "", permanentError("chat message names files, but the chat transport cannot send files")
	}
	if o.cfg.Attachments == nil {
		return "", permanentError("chat message names stored files, but the outbox has no attachment source")
	}
	key := chatProgressKey(j.ID)
	var p chatProgress
	v, found, err := o.jobs.GetState(ctx, key)
	if err != nil {
		return "", fmt.Errorf("read what job %d sent so far: %w", j.ID, err)
	}
	if found && v != "" {
		if err := json.Unmarshal([]byte(v), &p); err != nil {
			return "", permanentError(fmt.Sprintf("read what job %d sent so far: %v", j.ID, err))
		}
	}
	parts := 1 + len(j.Chat.AttachFrom.Indexes)
	if p.Sent >= parts {
		// Everything went before a crash; only the completion was lost.
		return p.Ref, nil
	}
	atts, err := o.cfg.Attachments.Attachments(ctx, *j.Chat.AttachFrom)
	if err != nil {
		return "", fmt.Errorf("read attachments of entry %d: %w", j.Chat.AttachFrom.EntryID, err)
	}
	if p.Sent == 0 {
		text := *j.Chat
		text.AttachFrom = nil
		ref, err := o.chat.SendChat(ctx, &text)
		if err != nil {
			return "", err
		}
		p = chatProgress{Sent: 1, Ref: ref}
		o.recordChatPart(j, key, p)
	}
	for ; p.Sent < 1+len(atts); p.Sent++ {
		if err := o.nextPart(ctx, j.ID); err != nil {
			return "", err
		}
		a := atts[p.Sent-1]
		if err := files.SendChatFile(ctx, j.Chat.ChatID, a); err != nil {
			return "", fmt.Errorf("send file %d of %d (%q) after the text: %w", p.Sent, len(atts), a.Name, err)
		}
		o.recordChatPart(j, key, chatProgress{Sent: p.Sent + 1, Ref: p.Ref})
	}
	return p.Ref, nil
}

// recordChatPart writes p, the parts of job j sent so far, and lets the
// send be cut off again until the next request is written: what is
// recorded is not sent again, so a cut between parts costs nothing. It
// writes under a time of its own, since a part that went must be recorded
// even when the send's context has just been cut off. A failed write is
// logged: the send goes on, and only a retry would repeat that part.
func (o *Outbox) recordChatPart(j inquiry.Job, key string, p chatProgress) {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	v, _ := json.Marshal(p)
	if err := o.jobs.SetState(ctx, key, string(v)); err != nil {
		o.log.Warn("record a part of a chat message sent; a retry would send it again", "job", j.ID, "ticket_id", j.TicketID, "parts_sent", p.Sent, "err", err)
		return
	}
	o.held.partRecorded(j.ID)
}

// nextPart reports whether the next part of job id's send may go: not
// once the send is cut off, nor when its lease is no longer known fresh
// (renewed once if not), which gives the job back to be sent on, from the
// next part, by whichever instance claims it.
func (o *Outbox) nextPart(ctx context.Context, id int64) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if o.leaseFresh(id) {
		return nil
	}
	o.renew([]int64{id})
	if o.leaseFresh(id) {
		return nil
	}
	_, confirmed := o.held.lease(id)
	return &leaseUnconfirmed{since: o.mono() - confirmed, lease: o.cfg.Lease}
}

// partRecorded clears job id's point of no return once the part past it
// is recorded: the send may be cut off again before its next request.
// A send whose watch has ended (cut off, or let finish past the cut) is
// not watched again; nextPart stops it before its next part instead.
func (h *heldJobs) partRecorded(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if l, ok := h.jobs[id]; ok && l.cut != nil {
		l.noReturn = false
	}
}
