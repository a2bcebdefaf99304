package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// The officer actions below are the same whether they come from the command
// line, Telegram buttons or a Telegram command; by names who acted, for the
// record.

// Assign gives an open ticket to another officer and notifies them.
func (d *Desk) Assign(ctx context.Context, number, officerID, by string) (inquiry.Ticket, error) {
	if _, ok := d.officers[officerID]; !ok {
		return inquiry.Ticket{}, &Refusal{Kind: RefusedUnknownOfficer, Ticket: number, Value: officerID,
			text: fmt.Sprintf("assign %s: unknown officer %q", number, officerID)}
	}
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		return d.assign(tx, t, officerID, by)
	})
}

// assign is Assign within tx, for a configured officer; the caller saves t.
func (d *Desk) assign(tx store.Tx, t *inquiry.Ticket, officerID, by string) error {
	if err := refuseUnlessOpen(t, "assigning it", "it cannot be assigned"); err != nil {
		return err
	}
	t.Acted = true
	if t.OfficerID == officerID {
		return nil
	}
	prev := t.OfficerID
	t.OfficerID = officerID
	if err := d.note(tx, t.ID, by, fmt.Sprintf("assigned to %s (was %s)", officerID, prev), d.now()); err != nil {
		return err
	}
	m, err := d.firstMessage(tx, t)
	if err != nil {
		return err
	}
	return d.queueNotifications(tx, t, m, false, d.now())
}

// Take assigns an open ticket to the officer who asked for it.
func (d *Desk) Take(ctx context.Context, number, officerID string) (inquiry.Ticket, error) {
	if _, ok := d.officers[officerID]; !ok {
		return inquiry.Ticket{}, &Refusal{Kind: RefusedUnknownOfficer, Ticket: number, Value: officerID,
			text: fmt.Sprintf("take %s: unknown officer %q", number, officerID)}
	}
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		return d.take(tx, t, officerID)
	})
}

// take is Take within tx; the caller saves t.
func (d *Desk) take(tx store.Tx, t *inquiry.Ticket, officerID string) error {
	if err := refuseUnlessOpen(t, "taking it", "it cannot be taken"); err != nil {
		return err
	}
	t.Acted = true
	if t.OfficerID == officerID {
		return nil
	}
	prev := t.OfficerID
	t.OfficerID = officerID
	return d.note(tx, t.ID, officerID, fmt.Sprintf("taken over (was %s)", prev), d.now())
}

// refuseUnlessOpen refuses to change who answers for a ticket that is not
// open: a closed ticket's officer is part of the record the annual report
// counts (reopen it first), and bulk and spam mail is kept, not worked.
// doing and cannot end the refusal's text: "reopen it before taking it",
// "kept and not worked: it cannot be taken".
func refuseUnlessOpen(t *inquiry.Ticket, doing, cannot string) error {
	if t.State.Open() {
		return nil
	}
	if t.State == inquiry.Closed {
		return refuseAs(RefusedClosed, t, "ticket %s is closed: reopen it before %s", t.Number, doing)
	}
	return refuseAs(RefusedSetAside, t, "ticket %s is %s mail, kept and not worked: %s", t.Number, t.State, cannot)
}

// MarkSpam files a ticket as spam: it leaves the work queue and the reports.
// A closed ticket is refused: its outcome is the record the reports count.
func (d *Desk) MarkSpam(ctx context.Context, number, by string) (inquiry.Ticket, error) {
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		if t.State == inquiry.Closed {
			return refuseAs(RefusedClosed, t, "ticket %s is closed (%s): reopen it before marking it as spam", t.Number, t.Outcome)
		}
		t.Acted = true
		t.State = inquiry.SpamMail
		return d.note(tx, t.ID, by, "marked as spam", d.now())
	})
}

// Recategorize changes a ticket's category by an officer's decision. The
// deadline follows the category; routing is left to the officer (they can
// reassign).
func (d *Desk) Recategorize(ctx context.Context, number string, c inquiry.Category, by string) (inquiry.Ticket, error) {
	if !c.Valid() {
		return inquiry.Ticket{}, &Refusal{Kind: RefusedUnknownCategory, Ticket: number, Value: string(c),
			text: fmt.Sprintf("recategorize %s: unknown category %q", number, c)}
	}
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		// A closed ticket is the record the annual report counts.
		if err := refuseUnlessOpen(t, "changing its category", "its category stays"); err != nil {
			return err
		}
		t.Acted = true
		if t.Category == c {
			return nil
		}
		prev := t.Category
		t.Category, t.Classifier, t.NeedsReview = c, "officer:"+by, false
		if c != inquiry.DocumentRequest || t.DueAt.IsZero() {
			t.DueAt = d.dueFor(t)
		}
		return d.note(tx, t.ID, by, fmt.Sprintf("category changed from %s to %s", prev, c), d.now())
	})
}

// Answer sends an officer's answer to the citizen on the ticket's channel.
func (d *Desk) Answer(ctx context.Context, number, officerID, text string) (inquiry.Ticket, error) {
	t, _, err := d.answer(ctx, "", number, officerID, text)
	return t, err
}

// AnswerOnce is Answer for an answer that may be handed over again, as a
// Telegram update is when the process dies after the answer was committed
// and before the update was confirmed: key names the officer's message, is
// recorded with the answer, and an answer already taken in under key is
// not sent again (again reports that).
func (d *Desk) AnswerOnce(ctx context.Context, key, number, officerID, text string) (t inquiry.Ticket, again bool, err error) {
	return d.AnswerOnceWithFiles(ctx, key, number, officerID, text, nil)
}

// AnswerOnceWithFiles is AnswerOnce for an answer given in Telegram with
// files (a /reply on a document or a photo): they go to the citizen's chat
// after the text, by their Telegram file ids, and the answer's entry
// records them (name, type, size, file id; Telegram keeps the bytes). Only
// a ticket whose citizen's private chat is known can take them: one by
// mail, or from the public group not yet tied to a chat, is refused
// (RefusedFilesChannel), nothing sent.
func (d *Desk) AnswerOnceWithFiles(ctx context.Context, key, number, officerID, text string, files []inquiry.ChatFile) (t inquiry.Ticket, again bool, err error) {
	if key == "" {
		return inquiry.Ticket{}, false, fmt.Errorf("answer %s: no key", number)
	}
	return d.answer(ctx, key, number, officerID, text, files...)
}

func (d *Desk) answer(ctx context.Context, key, number, officerID, text string, files ...inquiry.ChatFile) (inquiry.Ticket, bool, error) {
	officer, ok := d.officers[officerID]
	if !ok {
		return inquiry.Ticket{}, false, &Refusal{Kind: RefusedUnknownOfficer, Ticket: number, Value: officerID,
			text: fmt.Sprintf("answer %s: unknown officer %q", number, officerID)}
	}
	if strings.TrimSpace(text) == "" {
		return inquiry.Ticket{}, false, &Refusal{Kind: RefusedEmptyAnswer, Ticket: number, text: fmt.Sprintf("answer %s: empty text", number)}
	}
	return d.updateOnce(ctx, key, number, func(tx store.Tx, t *inquiry.Ticket, now time.Time) error {
		if err := refuseUnlessOpen(t, "answering", "it is not answered"); err != nil {
			return err
		}
		if len(files) > 0 && (t.Channel != inquiry.ChannelTelegram || t.ChatID == 0) {
			return &Refusal{Kind: RefusedFilesChannel, Ticket: t.Number,
				text: fmt.Sprintf("answer %s: Telegram files reach only a citizen's private Telegram chat", t.Number)}
		}
		t.Acted = true
		return d.relayAnswer(tx, t, officer, text, nil, files, now)
	})
}

// updateOnce is update for a change that may be handed over again (a
// Telegram update replayed after a kill, a form sent twice): key, when
// set, names it and is recorded with it, and a change already made under
// key is not made again (again reports that).
func (d *Desk) updateOnce(ctx context.Context, key, number string, fn func(store.Tx, *inquiry.Ticket, time.Time) error) (t inquiry.Ticket, again bool, err error) {
	t, err = d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		if key != "" {
			if _, seen, err := tx.SourceTicket(key); err != nil {
				return err
			} else if seen {
				again = true
				return nil
			}
		}
		now := d.now()
		if err := fn(tx, t, now); err != nil {
			return err
		}
		if key == "" {
			return nil
		}
		return tx.MarkSource(key, t.ID, now)
	})
	return t, again, err
}

// update loads a ticket by number, lets fn change it, and saves it, in one
// transaction with whatever jobs fn queues.
func (d *Desk) update(ctx context.Context, number string, fn func(store.Tx, *inquiry.Ticket) error) (inquiry.Ticket, error) {
	var out inquiry.Ticket
	err := d.store.WithTx(ctx, func(tx store.Tx) error {
		t, ok, err := tx.TicketByNumber(number)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w %s", ErrNoTicket, number)
		}
		if err := fn(tx, &t); err != nil {
			return err
		}
		t.UpdatedAt = d.now()
		if err := d.saveTicket(tx, &t); err != nil {
			return err
		}
		out = t
		return nil
	})
	if err != nil {
		return inquiry.Ticket{}, err
	}
	d.poke()
	return out, nil
}

// firstMessage rebuilds the citizen's first message for a notification.
func (d *Desk) firstMessage(tx store.Tx, t *inquiry.Ticket) (*inquiry.Message, error) {
	m := &inquiry.Message{Channel: t.Channel, From: t.Sender, Subject: t.Subject, ChatID: t.ChatID}
	e, ok, err := tx.FirstEntry(t.ID)
	if err != nil {
		return nil, err
	}
	if ok {
		m.Text, m.Attachments = e.Text, e.Attachments
		if len(e.Raw) > 0 && slices.ContainsFunc(e.Attachments, func(a inquiry.Attachment) bool { return a.Content == nil && !a.Truncated }) {
			// Recorded without their bytes: they are in the raw mail.
			m.AttachmentsAt = &inquiry.AttachmentRef{TicketID: e.TicketID, EntryID: e.ID}
		}
	}
	return m, nil
}
