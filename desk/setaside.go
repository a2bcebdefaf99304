package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

func (d *Desk) quarantine(tx store.Tx, m *inquiry.Message, reason string, now time.Time) (intakeResult, error) {
	sa := &inquiry.SetAside{
		Kind:       inquiry.SetAsideQuarantine,
		SourceID:   m.SourceID,
		From:       m.From.String(),
		Subject:    m.Subject,
		Reason:     reason,
		ReceivedAt: m.ReceivedAt,
		Raw:        m.Raw,
	}
	if err := tx.AddSetAside(sa); err != nil {
		return intakeResult{}, err
	}
	// The catch-all officer hears of it, and so does an officer whose own
	// mail it was (their answer did not reach the citizen).
	tell := []inquiry.Officer{d.officers[d.router.CatchAll()]}
	if sender, ok := d.officerByEmail(m.From.Address); ok && m.Channel == inquiry.ChannelEmail && sender.ID != tell[0].ID {
		tell = append(tell, sender)
	}
	for _, officer := range tell {
		if officer.Email == "" {
			continue
		}
		job := &inquiry.Job{
			Kind:      inquiry.JobQuarantined,
			Recipient: officer.ID,
			Mail:      d.quarantineMail(officer, m, reason, now),
			State:     inquiry.JobPending,
			NextAt:    now,
			CreatedAt: now,
		}
		if err := tx.AddJob(job); err != nil {
			return intakeResult{}, err
		}
	}
	if err := tx.MarkSource(m.SourceID, 0, now); err != nil {
		return intakeResult{}, err
	}
	d.log.Warn("message quarantined", "source", m.SourceID, "reason", reason)
	return intakeResult{disposition: inquiry.Quarantined, reason: reason}, nil
}

// machineMail attaches a bounce or auto-reply to the ticket it is about, as
// a note that notifies nobody, or records it when it is about none.
func (d *Desk) machineMail(tx store.Tx, m *inquiry.Message, now time.Time) (intakeResult, error) {
	t, found, err := d.referencedTicket(tx, m)
	if err != nil {
		return intakeResult{}, err
	}
	if !found {
		if num := inquiry.FindNumber(d.cfg.Prefix, m.Subject); num != "" {
			t, found, err = tx.TicketByNumber(num)
			if err != nil {
				return intakeResult{}, err
			}
		}
	}
	if found {
		e := &inquiry.Entry{
			TicketID:  t.ID,
			Kind:      inquiry.EntryAutomated,
			SourceID:  m.SourceID,
			MessageID: m.MessageID,
			Author:    m.From.Address,
			Subject:   m.Subject,
			Text:      "[" + m.AutomationReason + "]\n" + m.Text,
			Raw:       m.Raw,
			CreatedAt: now,
		}
		if err := tx.AddEntry(e); err != nil {
			return intakeResult{}, err
		}
		if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
			return intakeResult{}, err
		}
		if err := d.answerBounced(tx, t, m, now); err != nil {
			return intakeResult{}, err
		}
		if err := d.sharedMailboxReply(tx, t, m, now); err != nil {
			return intakeResult{}, err
		}
		return intakeResult{disposition: inquiry.Attached, ticket: t.Number, reason: m.AutomationReason}, nil
	}
	sa := &inquiry.SetAside{
		Kind:       inquiry.SetAsideMachine,
		SourceID:   m.SourceID,
		From:       m.From.String(),
		Subject:    m.Subject,
		Reason:     m.AutomationReason,
		ReceivedAt: m.ReceivedAt,
		Raw:        m.Raw,
	}
	if err := tx.AddSetAside(sa); err != nil {
		return intakeResult{}, err
	}
	if err := tx.MarkSource(m.SourceID, 0, now); err != nil {
		return intakeResult{}, err
	}
	return intakeResult{disposition: inquiry.Recorded, reason: m.AutomationReason}, nil
}

// answerBounced tells t's officer when m, machine mail attached to t, is a
// report that an officer's answer or legal notice on t was not delivered:
// the relay took it, so the outbox counts it sent, and the officer
// believes the citizen has it. Reports of other mail (an acknowledgement)
// and delay warnings stay silent notes.
func (d *Desk) answerBounced(tx store.Tx, t inquiry.Ticket, m *inquiry.Message, now time.Time) error {
	if m.DeliveryFailure == "" || m.BouncedMessageID == "" {
		return nil
	}
	ref, ok, err := tx.FindThreadRef([]string{m.BouncedMessageID})
	if err != nil || !ok || ref.TicketID != t.ID || ref.Kind != inquiry.JobAnswer && ref.Kind != inquiry.JobNotice {
		return err
	}
	return d.queueUndelivered(tx, t, "", ref.Kind, bouncedLater, m.DeliveryFailure, nil, "bounced:"+m.BouncedMessageID, now)
}

// Quarantine sets m aside for reason: the intake's last resort for a message
// that keeps failing while the store takes other writes. It records the
// message, tells the officers, and marks its source taken in, so it never
// blocks the mail behind it again. A message already taken in is left as it
// is (Duplicate).
func (d *Desk) Quarantine(ctx context.Context, m *inquiry.Message, reason string) (inquiry.Disposition, error) {
	if m.SourceID == "" {
		return "", errors.New("quarantine message: no source id")
	}
	var res intakeResult
	err := d.store.WithTx(ctx, func(tx store.Tx) error {
		if _, seen, err := d.takenBefore(tx, m); err != nil || seen {
			res = intakeResult{disposition: inquiry.Duplicate}
			return err
		}
		var err error
		res, err = d.quarantine(tx, m, reason, d.now())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("quarantine %s: %w", m.SourceID, err)
	}
	d.poke()
	return res.disposition, nil
}

// sharedMailboxReply tells an officer who answered their notification
// about t from the division's own address (Outlook's shared mailbox or
// "send as"): written as our address, m is machine mail, never relayed
// nor run as commands, and the officer believed the citizen had it. Only
// a reply to a notification sent to that officer counts (its Message-ID is
// random: nobody else has it); our own mail coming back does not, and the
// officer is told once an hour at most for a ticket.
func (d *Desk) sharedMailboxReply(tx store.Tx, t inquiry.Ticket, m *inquiry.Message, now time.Time) error {
	if !inquiry.SameAddress(m.From.Address, d.cfg.Mailbox.Address) || d.ownMessageID(m.MessageID) {
		return nil
	}
	parent := repliedTo(m)
	if len(parent) == 0 {
		return nil
	}
	ref, ok, err := tx.FindThreadRef(parent)
	if err != nil || !ok || ref.Kind != inquiry.JobNotify || ref.TicketID != t.ID {
		return err
	}
	officer, ok := d.officerByID(ref.OfficerID)
	if !ok {
		return nil
	}
	subject := "Sportel: mesazhi nga adresa e përbashkët nuk u dërgua [" + t.Number + "]"
	if _, told, err := toldWithin(tx, t, officer, subject, now); err != nil || told {
		return err
	}
	text := fmt.Sprintf("Mesazhi për %s që u dërgua nga adresa e përbashkët %s, si përgjigje e njoftimit tuaj, nuk iu dërgua qytetarit "+
		"dhe asnjë komandë në të nuk u zbatua: Sportel merr përgjigje vetëm nga adresa juaj, %s.\n"+
		"Përgjigjuni njoftimit nga adresa juaj, ose përdorni hapësirën e punës në ueb. Mesazhi ruhet në tiketë (sportel tickets show %s).\n",
		t.Number, d.cfg.Mailbox.Address, officer.Email, t.Number)
	return tx.AddJob(&inquiry.Job{TicketID: t.ID, Kind: inquiry.JobQuarantined, Recipient: officer.ID, State: inquiry.JobPending,
		NextAt: now, CreatedAt: now, Mail: d.staffMail("undeliverable", officer, subject, text, now)})
}
