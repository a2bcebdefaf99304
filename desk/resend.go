package desk

import (
	"fmt"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// resendWindow is how far apart a mail and its resend may arrive. A client
// resends within minutes (a phone that timed out, send pressed twice), and
// a phone that was offline sends its outbox when it reconnects, often the
// next morning: a day covers both. Later, the same words from the same
// person are more likely asked again on purpose (no answer came), which a
// new ticket and a fresh acknowledgement serve better. It is also the ack
// cap's day, so a resend never meets an older ticket than the cap counts.
const resendWindow = 24 * time.Hour

// resendTickets bounds how many of the sender's newest open tickets in the
// window are compared: a resend comes right after its first copy, so the
// newest few hold it, and a busy sender costs no more than a new one.
const resendTickets = 3

// resendAckKey names the one acknowledgement a ticket may get again for
// resends: the store keeps it to one, however often a client resends.
func resendAckKey(ticketID int64) string { return fmt.Sprintf("ack-again:%d", ticketID) }

// sentAgain joins a mail a citizen's client sent again (a new Message-ID,
// the same From, subject, words and files) to the open ticket its first
// copy opened within resendWindow, instead of opening a second one with a
// second number. The copy is kept in the record as a note with its raw
// mail; the officer is not told again (the first notification carried the
// same words); the citizen may get the acknowledgement again, with the
// same number (resendAck). It reports false when m is no resend.
//
// It costs one indexed query of at most resendTickets rows per new mail
// (the sender's open tickets of the window, usually none), and reads a
// ticket's first message only when its subject is m's.
func (d *Desk) sentAgain(tx store.Tx, m *inquiry.Message, now time.Time) (intakeResult, bool, error) {
	if m.Channel != inquiry.ChannelEmail || m.Automation != inquiry.Human {
		return intakeResult{}, false, nil
	}
	// The address a ticket is filed under (fileTicket).
	sender := m.ReplyAddress().Address
	if sender == "" {
		sender = m.From.Address
	}
	if sender == "" || m.From.Address == "" {
		return intakeResult{}, false, nil
	}
	received := m.ReceivedAt
	if received.IsZero() {
		received = now
	}
	// No state in the filter: SQLite would then read the day's open
	// tickets by state instead of the sender's by address.
	tickets, err := tx.ListTickets(inquiry.TicketFilter{SenderAddress: sender, Channel: inquiry.ChannelEmail,
		ReceivedFrom: received.Add(-resendWindow), NewestFirst: true, Limit: resendTickets})
	if err != nil {
		return intakeResult{}, false, fmt.Errorf("look for the ticket a resend belongs to: %w", err)
	}
	subject := sameWords(m.Subject)
	for i := range tickets {
		t := &tickets[i]
		if !t.State.Open() || sameWords(t.Subject) != subject || t.ReceivedAt.After(received.Add(resendWindow)) {
			continue
		}
		first, ok, err := tx.FirstEntry(t.ID)
		if err != nil {
			return intakeResult{}, false, fmt.Errorf("look for the ticket a resend belongs to: %w", err)
		}
		// The first copy's author is its From (with its Reply-To): a mail
		// from elsewhere naming the citizen in Reply-To is not theirs.
		// sameWords as for forwards: clients rewrap and respace.
		if !ok || !sameMessage(first, m) {
			continue
		}
		return d.joinResend(tx, m, t, now)
	}
	return intakeResult{}, false, nil
}

// joinResend records m, a resend of t's first message, on t.
func (d *Desk) joinResend(tx store.Tx, m *inquiry.Message, t *inquiry.Ticket, now time.Time) (intakeResult, bool, error) {
	ack, err := d.resendAck(tx, m, t, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	return keepSentAgain(tx, m, t, "the same message as the ticket's first, so no new ticket "+
		"and the officer is not notified again; "+ack, now)
}

// keepSentAgain records m, a copy of a message already on t, as a "sent
// again" note that keeps its raw mail and says why (what), and marks its
// source taken; a reply to the copy, or to an acknowledgement sent for it,
// finds t by its Message-ID.
func keepSentAgain(tx store.Tx, m *inquiry.Message, t *inquiry.Ticket, what string, now time.Time) (intakeResult, bool, error) {
	e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: m.SourceID, MessageID: m.MessageID,
		Author: "sportel", Subject: m.Subject, Text: "sent again by " + senderName(m) + ": " + what + "\n\n" + m.Text,
		Attachments: recordedAttachments(m), Raw: m.Raw, CreatedAt: now}
	if err := tx.AddEntry(e); err != nil {
		return intakeResult{}, false, err
	}
	if err := recordMailRef(tx, m, t.ID); err != nil {
		return intakeResult{}, false, err
	}
	if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
		return intakeResult{}, false, err
	}
	return intakeResult{disposition: inquiry.Attached, ticket: t.Number, reason: "sent again"}, true, nil
}

// resendAck queues the acknowledgement of t again, with its number, for a
// citizen who resent because they did not see the first (it went to spam,
// or the client said the send failed), and says for the record what it
// did. Not while an acknowledgement of t still waits to go (the citizen
// gets that one), only once per ticket (a client resending in a loop gets
// one more, not one per copy), and within the per-address caps that every
// acknowledgement meets.
func (d *Desk) resendAck(tx store.Tx, m *inquiry.Message, t *inquiry.Ticket, now time.Time) (string, error) {
	to := m.ReplyAddress()
	switch {
	case m.SuppressAck:
		return "not acknowledged again: the sender asked for no automatic replies", nil
	case to.Address == "":
		return "not acknowledged again: no-reply sender without Reply-To", nil
	}
	recipient := ackCapKey(to.Address)
	last, ok, err := tx.LatestJob(t.ID, inquiry.JobAck, recipient)
	if err != nil {
		return "", err
	}
	if ok && last.State == inquiry.JobPending {
		return "not acknowledged again: the acknowledgement is still to be sent", nil
	}
	if ok && last.Key == resendAckKey(t.ID) {
		return "not acknowledged again: acknowledged again once already", nil
	}
	limited, err := d.ackLimited(tx, recipient, now)
	if err != nil {
		return "", err
	}
	if limited != "" {
		return "not acknowledged again: " + limited, nil
	}
	job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobAck, Recipient: recipient, State: inquiry.JobPending,
		NextAt: now, CreatedAt: now}
	data := d.ackData(t)
	data.Again = true
	job.Mail = d.ackMailWith(t, m, to, data, now)
	added, err := tx.AddJobOnce(resendAckKey(t.ID), job)
	if err != nil {
		return "", err
	}
	if !added {
		return "not acknowledged again: acknowledged again once already", nil
	}
	return "acknowledged again with the same number", nil
}
