package desk

import (
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// citizenFollowUp adds a mail to the ticket it belongs to. A mail joins a
// ticket only when it was sent from the ticket's requester address (where
// its acknowledgement went); its references, else the number in its
// subject, pick which ticket. Anyone else who refers to a ticket (a
// stranger quoting a number, or a mail whose Reply-To names the requester
// while it comes from elsewhere) gets a new ticket that notes the mention:
// Reply-To says where an answer goes, never who wrote.
func (d *Desk) citizenFollowUp(tx store.Tx, m *inquiry.Message, cls *inquiry.Classification, now time.Time) (intakeResult, bool, error) {
	t, found, err := d.followedTicket(tx, m)
	if err != nil || !found {
		return intakeResult{}, false, err
	}
	if sentByRequester(t, m) && (t.State == inquiry.SpamMail || t.State == inquiry.BulkMail) {
		// The filter may have been wrong about the first mail: a person who
		// writes again (unflagged, or this would not be here) is heard, on a
		// new ticket that names the one kept as spam or bulk. Joined to it,
		// nobody would ever read it.
		res, err := d.file(tx, m, cls, filing{linkedTo: t.Number}, now)
		return res, err == nil, err
	}
	if !sentByRequester(t, m) {
		res, err := d.file(tx, m, cls, filing{mentions: t.Number}, now)
		return res, err == nil, err
	}
	keptClosed := false
	if t.State == inquiry.Closed {
		if now.Sub(t.ClosedAt) > time.Duration(d.cfg.ReopenDays)*24*time.Hour {
			res, err := d.file(tx, m, cls, filing{linkedTo: t.Number}, now)
			return res, err == nil, err
		}
		if !t.DecidedAt.IsZero() {
			// A decided document request stays decided: a reply (thanks,
			// a question about the decision) must not undo it, nor turn it
			// into a refusal by silence in the annual report. The reply
			// joins it and its officer hears of it; an officer reopens it
			// when it needs a new decision.
			keptClosed = true
			if err := d.note(tx, t.ID, "sportel", "the requester replied after the decision; the ticket stays closed (reopen it for a new decision)", now); err != nil {
				return intakeResult{}, false, err
			}
		} else {
			was := d.clearClosing(&t)
			if err := d.note(tx, t.ID, "sportel", "reopened by the citizen's reply (was closed: "+was+")", now); err != nil {
				return intakeResult{}, false, err
			}
		}
	} else if t.State == inquiry.Answered {
		t.State = inquiry.Assigned
	}
	e := &inquiry.Entry{
		TicketID: t.ID, Kind: inquiry.EntryInbound, SourceID: m.SourceID, MessageID: m.MessageID,
		Author: senderName(m), Subject: m.Subject, Text: m.Text, Attachments: recordedAttachments(m), Raw: m.Raw, CreatedAt: now,
	}
	if err := tx.AddEntry(e); err != nil {
		return intakeResult{}, false, err
	}
	keptAt(m, e)
	if m.TooLarge {
		if err := d.note(tx, t.ID, "sportel", "parse problems: "+strings.Join(m.ParseProblems, "; "), now); err != nil {
			return intakeResult{}, false, err
		}
	}
	if m.MessageID != "" {
		if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: m.MessageID, TicketID: t.ID}); err != nil {
			return intakeResult{}, false, err
		}
	}
	t.UpdatedAt = now
	if err := d.saveTicket(tx, &t); err != nil {
		return intakeResult{}, false, err
	}
	if t.State.Open() || keptClosed {
		if err := d.queueNotifications(tx, &t, m, true, now); err != nil {
			return intakeResult{}, false, err
		}
	}
	if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
		return intakeResult{}, false, err
	}
	return intakeResult{disposition: inquiry.Attached, ticket: t.Number}, true, nil
}

// followedTicket is the ticket m follows up: of the tickets its references
// and the number in its subject name, the first sent from m's sender's
// address, else the first named (found false: none).
func (d *Desk) followedTicket(tx store.Tx, m *inquiry.Message) (inquiry.Ticket, bool, error) {
	var named []inquiry.Ticket
	t, found, err := d.referencedTicket(tx, m)
	if err != nil {
		return inquiry.Ticket{}, false, err
	}
	if found {
		named = append(named, t)
	}
	if num := inquiry.FindNumber(d.cfg.Prefix, m.Subject); num != "" && (!found || num != t.Number) {
		t, found, err := tx.TicketByNumber(num)
		if err != nil {
			return inquiry.Ticket{}, false, err
		}
		if found {
			named = append(named, t)
		}
	}
	for _, t := range named {
		if sentByRequester(t, m) {
			return t, true, nil
		}
	}
	if len(named) == 0 {
		return inquiry.Ticket{}, false, nil
	}
	return named[0], true, nil
}

// sentByRequester reports whether m comes from t's requester: the same
// Telegram chat, or for mail the From address the ticket's acknowledgement
// went to (the sender, or the citizen a contact form named in Reply-To).
// m's own Reply-To does not count: anyone can write any address there.
func sentByRequester(t inquiry.Ticket, m *inquiry.Message) bool {
	if t.Channel == inquiry.ChannelTelegram || m.Channel == inquiry.ChannelTelegram {
		return t.ChatID != 0 && t.ChatID == m.ChatID
	}
	return m.From.Address != "" && strings.EqualFold(m.From.Address, t.Sender.Address)
}
