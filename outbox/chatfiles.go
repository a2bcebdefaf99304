package outbox

import (
	"context"
	"encoding/json"
	"fmt"

	"sportel/inquiry"
	"sportel/store"
)

// ChatFileSender sends one file to a chat as a document, in one request
// (Telegram's sendDocument), under the send's point of no return as
// SendChat's requests are. The chat transport implements it beside
// ChatSender; without it a chat job with stored files fails for good.
type ChatFileSender interface {
	SendChatFile(ctx context.Context, chatID int64, f inquiry.Attachment) error
}

// ChatFileIDSender sends one file Telegram keeps by its file id (a
// document or a photo an officer sent the bot), in one request, under the
// send's point of no return; without it a chat job naming file ids fails
// for good.
type ChatFileIDSender interface {
	SendChatFileID(ctx context.Context, chatID int64, f inquiry.ChatFile) error
}

// ChatFileRefused tells the officer who wrote the answer of job j that
// Telegram refused its file for good after the text went (reason), so the
// citizen has the text without it; notSent are the files after it, which
// did not go either. It may be called again for the same job (a retry
// after it failed, or after a crash): it must queue one notice a job.
type ChatFileRefused func(ctx context.Context, j inquiry.Job, file string, notSent []string, reason string) error

// chatProgress is how far a chat job with files has gone: Sent parts, the
// text first and then each file, and Ref, the text's reference, which the
// job records when done. It is written after each part Telegram accepted,
// so a send cut off or crashed part way goes on where it stopped.
type chatProgress struct {
	Sent int    `json:"sent"`
	Ref  string `json:"ref"`
}

// chatProgressKey is the store state key of job id's progress; the store
// deletes it once the job is done or cancelled (store.Pruner).
func chatProgressKey(id int64) string { return fmt.Sprintf("%s%d", store.ChatPartsStatePrefix, id) }

// chatFile is one file part of a chat job: its name and how it is sent.
type chatFile struct {
	name string
	send func(ctx context.Context) error
}

// chatFiles are the file parts of chat job j in the order they go: the
// stored files (AttachFrom) first, then those Telegram keeps (Files). The
// stored ones are read before anything is sent, so a file that cannot be
// read fails the job with nothing sent, not with the text alone in the
// chat. sent is how many parts went already: with every stored file
// gone, they are not read again.
func (o *Outbox) chatFiles(ctx context.Context, j inquiry.Job, sent int) ([]chatFile, error) {
	c := j.Chat
	var out []chatFile
	if ref := c.AttachFrom; ref != nil {
		files, ok := o.chat.(ChatFileSender)
		if !ok {
			return nil, permanentError("chat message names stored files, but the chat transport cannot send files")
		}
		if o.cfg.Attachments == nil {
			return nil, permanentError("chat message names stored files, but the outbox has no attachment source")
		}
		atts := make([]inquiry.Attachment, len(ref.Indexes))
		if sent < 1+len(ref.Indexes) {
			var err error
			if atts, err = o.cfg.Attachments.Attachments(ctx, *ref); err != nil {
				return nil, storeRead(fmt.Sprintf("read attachments of entry %d", ref.EntryID), err)
			}
		}
		for _, a := range atts {
			out = append(out, chatFile{name: a.Name, send: func(ctx context.Context) error { return files.SendChatFile(ctx, c.ChatID, a) }})
		}
	}
	if len(c.Files) > 0 {
		ids, ok := o.chat.(ChatFileIDSender)
		if !ok {
			return nil, permanentError("chat message names Telegram files, but the chat transport cannot send them")
		}
		for _, f := range c.Files {
			out = append(out, chatFile{name: f.Name, send: func(ctx context.Context) error { return ids.SendChatFileID(ctx, c.ChatID, f) }})
		}
	}
	return out, nil
}

// deliverChatFiles sends a chat job that names files: its text, then each
// file, every one its own request. Telegram has no idempotency key, so
// what a crash costs is bounded by recording each part as it goes: a
// retry (after a crash, a cut or a failure) sends only the parts not
// recorded, so at most the one in flight goes twice. A file Telegram
// refuses for good fails the job, and its officer is told
// (Config.ChatFileRefused): the citizen has the text without it.
func (o *Outbox) deliverChatFiles(ctx context.Context, j inquiry.Job) (string, error) {
	key := chatProgressKey(j.ID)
	var p chatProgress
	v, found, err := o.jobs.GetState(ctx, key)
	if err != nil {
		return "", storeRead(fmt.Sprintf("read what job %d sent so far", j.ID), err)
	}
	if found && v != "" {
		if err := json.Unmarshal([]byte(v), &p); err != nil {
			return "", permanentError(fmt.Sprintf("read what job %d sent so far: %v", j.ID, err))
		}
	}
	files, err := o.chatFiles(ctx, j, p.Sent)
	if err != nil {
		return "", err
	}
	if p.Sent >= 1+len(files) {
		// Everything went before a crash; only the completion was lost.
		return p.Ref, nil
	}
	if p.Sent == 0 {
		text := *j.Chat
		text.AttachFrom, text.Files = nil, nil
		ref, err := o.chat.SendChat(ctx, &text)
		if err != nil {
			return "", err
		}
		p = chatProgress{Sent: 1, Ref: ref}
		o.recordChatPart(j, key, p)
	}
	for ; p.Sent < 1+len(files); p.Sent++ {
		if err := o.nextPart(ctx, j.ID); err != nil {
			return "", err
		}
		f := files[p.Sent-1]
		if err := f.send(ctx); err != nil {
			err = fmt.Errorf("send file %d of %d (%q) after the text: %w", p.Sent, len(files), f.name, err)
			if Permanent(err) {
				return "", o.fileRefused(ctx, j, files[p.Sent-1:], err)
			}
			return "", err
		}
		o.recordChatPart(j, key, chatProgress{Sent: p.Sent + 1, Ref: p.Ref})
	}
	return p.Ref, nil
}

// fileRefused tells the officer that files[0] of job j was refused for
// good (refusal), the rest of files not sent, and returns refusal to fail
// the job. If the officer cannot be told now, the job is tried again
// rather than failed without a word: its refused file is sent again, and
// the telling with it.
func (o *Outbox) fileRefused(ctx context.Context, j inquiry.Job, files []chatFile, refusal error) error {
	if o.cfg.ChatFileRefused == nil {
		return refusal
	}
	var rest []string
	for _, f := range files[1:] {
		rest = append(rest, f.name)
	}
	// Under a time of its own: the send's context may be cut off just
	// when the refusal came back.
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err := o.cfg.ChatFileRefused(tctx, j, files[0].name, rest, refusal.Error()); err != nil {
		return fmt.Errorf("tell the officer that Telegram refused a file (%v): %w", refusal, err)
	}
	return refusal
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
