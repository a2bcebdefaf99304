package desk

import (
	"fmt"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/route"
	"sportel/store"
)

func (d *Desk) queueAck(tx store.Tx, t *inquiry.Ticket, m *inquiry.Message, now time.Time) error {
	if m.SuppressAck {
		why := "the sender asked for no automatic replies"
		if m.Channel == inquiry.ChannelTelegram {
			why = "the chat is paused by flood control"
		}
		return d.note(tx, t.ID, "sportel", "no acknowledgement: "+why, now)
	}
	if m.Channel == inquiry.ChannelTelegram {
		return d.queueTelegramAck(tx, t, m, false, now)
	}
	job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobAck, State: inquiry.JobPending, NextAt: now, CreatedAt: now}
	{
		to := m.ReplyAddress()
		if to.Address == "" {
			return d.note(tx, t.ID, "sportel", "no acknowledgement: no-reply sender without Reply-To", now)
		}
		// The cap counts a mailbox, not its sub-addresses: victim+1@,
		// victim+2@ … reach one person.
		job.Recipient = ackCapKey(to.Address)
		limited, err := d.ackLimited(tx, job.Recipient, now)
		if err != nil {
			return err
		}
		if limited != "" {
			return d.note(tx, t.ID, "sportel", "no acknowledgement: "+limited, now)
		}
		job.Mail = d.ackMail(t, m, to, now)
	}
	return tx.AddJob(job)
}

// ackLimited says why no more acknowledgements may go to addr now, or "".
// The day's count comes first: while it is under the 10-minute limit the
// 10-minute count must be too, so most mail costs one query.
func (d *Desk) ackLimited(tx store.Tx, addr string, now time.Time) (string, error) {
	if d.cfg.AckPerDay <= 0 && d.cfg.AckPer10Min <= 0 {
		return "", nil
	}
	day, err := tx.CountJobs(inquiry.JobAck, addr, now.Add(-24*time.Hour))
	if err != nil {
		return "", err
	}
	if d.cfg.AckPerDay > 0 && day >= d.cfg.AckPerDay {
		return fmt.Sprintf("rate limit (%d in a day)", day), nil
	}
	if d.cfg.AckPer10Min > 0 && day >= d.cfg.AckPer10Min {
		recent, err := tx.CountJobs(inquiry.JobAck, addr, now.Add(-10*time.Minute))
		if err != nil {
			return "", err
		}
		if recent >= d.cfg.AckPer10Min {
			return fmt.Sprintf("rate limit (%d in 10 minutes)", recent), nil
		}
	}
	return "", nil
}

// queueNotifications tells the ticket's officer, by email and Telegram,
// about a new ticket or, followUp, about m on a ticket they have; a
// follow-up soon after an earlier notification joins a digest instead
// (coalesceFollowUp).
func (d *Desk) queueNotifications(tx store.Tx, t *inquiry.Ticket, m *inquiry.Message, followUp bool, now time.Time) error {
	officer, ok := d.officers[t.OfficerID]
	if !ok {
		// A reload removed the ticket's officer: the ticket goes, on the
		// record, to whom the routing gives it now, who hears of it as of
		// a new ticket. Failing here would set the message aside and tell
		// nobody.
		prev := t.OfficerID
		t.OfficerID = d.routeTicket(t)
		if officer, ok = d.officers[t.OfficerID]; !ok {
			return fmt.Errorf("notify: routing gives ticket %s to %q, who is not a configured officer", t.Number, t.OfficerID)
		}
		if err := d.note(tx, t.ID, "sportel", fmt.Sprintf("reassigned to %s: %s is no longer a configured officer", t.OfficerID, prev), now); err != nil {
			return err
		}
		if err := d.saveTicket(tx, t); err != nil {
			return err
		}
		followUp = false
	}
	if followUp {
		coalesced, err := d.coalesceFollowUp(tx, t, officer, m, now)
		if err != nil || coalesced {
			return err
		}
	}
	for _, target := range d.notifyTargets(officer, followUp) {
		job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobNotify, Recipient: officer.ID,
			State: inquiry.JobPending, NextAt: now, CreatedAt: now}
		if target.chat == 0 {
			// The job's Message-ID is itself the thread reference: a reply
			// to it finds the ticket and the officer it was sent to.
			job.Mail = d.notifyMail(t, officer, m, followUp, now)
		} else {
			job.Chat = &inquiry.ChatMessage{ChatID: target.chat, Text: d.cfg.Templates.TelegramNotify(t, officer, m, followUp, d.cfg.Location), Ticket: t.Number, Actions: ticketActions(t)}
		}
		if err := tx.AddJob(job); err != nil {
			return err
		}
	}
	return nil
}

// ticketActions are what a notification about t offers under itself: a
// document request's lifecycle too.
func ticketActions(t *inquiry.Ticket) []inquiry.TicketAction {
	actions := []inquiry.TicketAction{inquiry.ActionTake, inquiry.ActionReassign, inquiry.ActionRecategorize, inquiry.ActionClose}
	if t.Category == inquiry.DocumentRequest {
		actions = append(actions, inquiry.ActionUrgent, inquiry.ActionNotHeld)
	}
	return actions
}

func (d *Desk) queueTelegramAck(tx store.Tx, t *inquiry.Ticket, m *inquiry.Message, corrected bool, now time.Time) error {
	data := d.ackData(t)
	data.Corrected = corrected
	text := d.cfg.Templates.Ack(t, data)
	if m.Public {
		text = d.cfg.Templates.PublicAck(t, d.botName())
	}
	job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobAck, State: inquiry.JobPending, NextAt: now, CreatedAt: now,
		Recipient: fmt.Sprintf("tg:%d", m.ChatID),
		Chat:      &inquiry.ChatMessage{ChatID: m.ChatID, ReplyToMsgID: m.ChatMsgID, Text: text}}
	return tx.AddJob(job)
}

// routeTicket is the officer the routing gives t now.
func (d *Desk) routeTicket(t *inquiry.Ticket) string {
	officer, _ := d.router.Route(route.Ticket{Category: t.Category, Channel: t.Channel, Language: t.Language})
	return officer
}

// ackCapKey is the mailbox an acknowledgement to addr reaches, as the
// per-address caps count it: lower case, without a "+tag" sub-address.
func ackCapKey(addr string) string {
	addr = strings.ToLower(addr)
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return addr
	}
	if base, _, tagged := strings.Cut(local, "+"); tagged && base != "" {
		local = base
	}
	return local + "@" + domain
}
