package desk

import (
	"fmt"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// referencedTicket finds the ticket that m's In-Reply-To or References name.
func (d *Desk) referencedTicket(tx store.Tx, m *inquiry.Message) (inquiry.Ticket, bool, error) {
	refs := append(append([]string(nil), m.InReplyTo...), m.References...)
	if len(refs) == 0 {
		return inquiry.Ticket{}, false, nil
	}
	ref, ok, err := tx.FindThreadRef(refs)
	if err != nil || !ok {
		return inquiry.Ticket{}, false, err
	}
	return tx.TicketByID(ref.TicketID)
}

// officerReply relays an officer's answer to the citizen when the officer
// replied to a notification that was sent to them. The notification's
// Message-ID is random, so the reply cannot be forged by guessing.
func (d *Desk) officerReply(tx store.Tx, m *inquiry.Message, officer inquiry.Officer, now time.Time) (intakeResult, bool, error) {
	if len(m.InReplyTo) == 0 {
		return intakeResult{}, false, nil
	}
	ref, ok, err := tx.FindThreadRef(m.InReplyTo)
	if err != nil || !ok {
		return intakeResult{}, false, err
	}
	if ref.Kind != inquiry.JobNotify || ref.OfficerID != officer.ID {
		return intakeResult{}, false, nil
	}
	t, ok, err := tx.TicketByID(ref.TicketID)
	if err != nil || !ok {
		return intakeResult{}, false, err
	}
	text := StripQuoted(m.Text)
	if m.TooLarge {
		// Only its start was read: relaying it would send the citizen a cut
		// answer without its files. Keep it and tell the officer.
		e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: m.SourceID, MessageID: m.MessageID,
			Author: officer.ID, Subject: m.Subject, Text: "answer not relayed: " + strings.Join(m.ParseProblems, "; ") + "\n\n" + text,
			Attachments: recordedAttachments(m), Raw: m.Raw, CreatedAt: now}
		if err := tx.AddEntry(e); err != nil {
			return intakeResult{}, false, err
		}
		job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobQuarantined, Recipient: officer.ID, State: inquiry.JobPending,
			NextAt: now, CreatedAt: now, Mail: d.tooLargeAnswerMail(officer, &t, m, now)}
		if err := tx.AddJob(job); err != nil {
			return intakeResult{}, false, err
		}
		if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
			return intakeResult{}, false, err
		}
		return intakeResult{disposition: inquiry.Attached, ticket: t.Number, reason: "officer's answer too large"}, true, nil
	}
	if strings.TrimSpace(text) == "" && len(m.Attachments) == 0 {
		// Nothing to relay; keep it on the record so nothing is lost.
		e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: m.SourceID, MessageID: m.MessageID,
			Author: officer.ID, Subject: m.Subject, Text: "empty reply from officer, not relayed", Raw: m.Raw, CreatedAt: now}
		if err := tx.AddEntry(e); err != nil {
			return intakeResult{}, false, err
		}
		if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
			return intakeResult{}, false, err
		}
		return intakeResult{disposition: inquiry.Attached, ticket: t.Number, reason: "empty officer reply"}, true, nil
	}
	if !answerable(&t) {
		// Nobody to send it to: keep the answer on the record and tell the
		// officer, rather than fail the message (and every one after it).
		e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: m.SourceID, MessageID: m.MessageID,
			Author: officer.ID, Subject: m.Subject, Text: "answer not delivered: the citizen left no address to answer\n\n" + text,
			Attachments: recordedAttachments(m), Raw: m.Raw, CreatedAt: now}
		if err := tx.AddEntry(e); err != nil {
			return intakeResult{}, false, err
		}
		job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobQuarantined, Recipient: officer.ID, State: inquiry.JobPending,
			NextAt: now, CreatedAt: now, Mail: d.undeliverableMail(officer, &t, now)}
		if err := tx.AddJob(job); err != nil {
			return intakeResult{}, false, err
		}
		if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
			return intakeResult{}, false, err
		}
		return intakeResult{disposition: inquiry.Attached, ticket: t.Number, reason: "answer to a ticket without an address"}, true, nil
	}
	if err := d.relayAnswer(tx, &t, officer, text, m, now); err != nil {
		return intakeResult{}, false, err
	}
	if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
		return intakeResult{}, false, err
	}
	return intakeResult{disposition: inquiry.Relayed, ticket: t.Number}, true, nil
}

// answerable reports whether an answer to t has somewhere to go.
func answerable(t *inquiry.Ticket) bool {
	return t.Channel == inquiry.ChannelTelegram || t.Sender.Address != ""
}

// relayAnswer records an officer's answer and queues it to the citizen on
// the ticket's own channel; the ticket becomes answered. m is the officer's
// mail, or nil for an answer given in Telegram.
func (d *Desk) relayAnswer(tx store.Tx, t *inquiry.Ticket, officer inquiry.Officer, text string, m *inquiry.Message, now time.Time) error {
	e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryAnswer, Author: officer.ID, Text: text, CreatedAt: now}
	if m != nil {
		e.SourceID, e.MessageID, e.Attachments, e.Raw = m.SourceID, m.MessageID, recordedAttachments(m), m.Raw
	}
	held := t.Channel == inquiry.ChannelTelegram && t.ChatID == 0
	if held {
		// A ticket from the public discussion group: the answer must not go
		// to the group, and a bot cannot write to someone who never started
		// it. It waits for the author's private chat (LinkPrivateChat).
		e.Kind = inquiry.EntryHeldAnswer
	}
	if err := tx.AddEntry(e); err != nil {
		return err
	}
	if m != nil {
		keptAt(m, e)
	}
	t.State = inquiry.Answered
	t.AnsweredAt = now
	t.UpdatedAt = now
	if held {
		return tx.UpdateTicket(t)
	}
	job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobAnswer, State: inquiry.JobPending, NextAt: now, CreatedAt: now}
	switch {
	case t.Channel == inquiry.ChannelTelegram:
		job.Recipient = fmt.Sprintf("tg:%d", t.ChatID)
		job.Chat = &inquiry.ChatMessage{ChatID: t.ChatID, Text: d.cfg.Templates.TelegramAnswer(t, text)}
	case t.Sender.Address != "":
		job.Recipient = strings.ToLower(t.Sender.Address)
		job.Mail = d.answerMail(t, text, m, now)
	default:
		return fmt.Errorf("answer %s: the ticket has no address to answer", t.Number)
	}
	if err := tx.AddJob(job); err != nil {
		return err
	}
	return tx.UpdateTicket(t)
}
