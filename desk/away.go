package desk

import (
	"fmt"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// outOfOffice reports whether m, an officer's mail, was written by their
// out-of-office responder or another rule of their mailbox, and why it is
// taken so. A read receipt or other machine mail from the officer is not.
// The parser says what an auto-reply is (its headers and its subject in
// the languages officers' clients write); the desk keeps no list of its own.
func outOfOffice(m *inquiry.Message) (string, bool) {
	if m.AutoReply != "" {
		return m.AutoReply, true
	}
	if m.Automation == inquiry.Bulk && strings.HasPrefix(strings.ToLower(m.AutomationReason), "precedence") {
		// A person's client does not mark mail Precedence: junk or bulk; a
		// vacation responder does (procmail's and vacation(1)'s recipes,
		// which add no Auto-Submitted).
		return m.AutomationReason, true
	}
	if strings.HasPrefix(m.AutomationReason, "X-MS-Exchange-Generated-Message-Source") {
		// Exchange wrote it for the officer's mailbox: an inbox rule's
		// reply ("RE: …", a template) or forward, which a person's client
		// never marks so. The mailbox answers for an officer who is not
		// there; relayed, the citizen would get the rule's text as the
		// answer, and a forward rule would bounce every notice back.
		return m.AutomationReason, true
	}
	return "", false
}

// officerAutoReply takes in an officer's out-of-office reply, whether it
// parsed as machine mail (Auto-Submitted) or as a person's (Outlook sends
// it without): it is kept and the heads told, and never relayed. It is
// about the ticket whose notification it answers or, when a client drops
// the references, the ticket of that officer its subject names; relaying
// nothing, it needs no proof of the notification. Other mail is left to
// the rest of intake.
func (d *Desk) officerAutoReply(tx store.Tx, m *inquiry.Message, now time.Time) (intakeResult, bool, error) {
	officer, ok := d.officerByEmail(m.From.Address)
	if !ok || m.Channel != inquiry.ChannelEmail {
		return intakeResult{}, false, nil
	}
	reason, away := outOfOffice(m)
	if forged, _ := d.fromForged(m); !away || forged {
		// A forged one would have the heads told an officer is away.
		return intakeResult{}, false, nil
	}
	t, ok, err := d.notifiedTicket(tx, m, officer)
	if err != nil {
		return intakeResult{}, false, err
	}
	if !ok {
		num := inquiry.FindNumber(d.cfg.Prefix, m.Subject)
		if num == "" {
			return intakeResult{}, false, nil
		}
		t, ok, err = tx.TicketByNumber(num)
		if err != nil || !ok || t.OfficerID != officer.ID {
			return intakeResult{}, false, err
		}
	}
	res, err := d.officerAway(tx, m, officer, &t, reason, now)
	return res, err == nil, err
}

// officerAway keeps an officer's out-of-office reply on the ticket as
// machine mail, never as their answer: the ticket stays as it was. The
// heads of the division hear that the officer is away while the legal
// clock runs on their tickets, once a day at most for each officer.
func (d *Desk) officerAway(tx store.Tx, m *inquiry.Message, officer inquiry.Officer, t *inquiry.Ticket, reason string, now time.Time) (intakeResult, error) {
	e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryAutomated, SourceID: m.SourceID, MessageID: m.MessageID,
		Author: officer.ID, Subject: m.Subject, Text: "[officer out of office: " + reason + "]\n" + m.Text, Raw: m.Raw, CreatedAt: now}
	if err := tx.AddEntry(e); err != nil {
		return intakeResult{}, err
	}
	if err := d.tellHeadsAway(tx, officer, t, now); err != nil {
		return intakeResult{}, err
	}
	if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
		return intakeResult{}, err
	}
	d.log.Info("officer out of office", "officer", officer.ID, "ticket", t.Number, "reason", reason)
	return intakeResult{disposition: inquiry.Attached, ticket: t.Number, reason: "officer out of office"}, nil
}

// tellHeadsAway queues a notice to each head of the division (but the
// officer themselves) that officer is away. The notice's Message-ID names
// the officer, the day and the head, so the outbox's own record of it is
// what keeps a second out-of-office reply that day from sending another.
func (d *Desk) tellHeadsAway(tx store.Tx, officer inquiry.Officer, t *inquiry.Ticket, now time.Time) error {
	var heads []inquiry.Officer
	for _, o := range d.cfg.Officers {
		if o.IsHead() && o.ID != officer.ID && o.Email != "" {
			heads = append(heads, o)
		}
	}
	if len(heads) == 0 {
		d.log.Warn("officer out of office, and no head of the division to tell", "officer", officer.ID, "ticket", t.Number)
		return nil
	}
	day := now.In(d.cfg.Location).Format("20060102")
	ids := make([]string, len(heads))
	for i, h := range heads {
		ids[i] = fmt.Sprintf("%saway.%s.%s.%s@%s", MessageIDPrefix, officer.ID, day, h.ID, d.domain)
	}
	if _, told, err := tx.FindThreadRef(ids); err != nil || told {
		return err
	}
	open, err := tx.ListTickets(inquiry.TicketFilter{OfficerID: officer.ID, States: []inquiry.State{inquiry.Assigned, inquiry.Answered}})
	if err != nil {
		return err
	}
	for i, h := range heads {
		job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobAway, Recipient: h.ID, State: inquiry.JobPending,
			NextAt: now, CreatedAt: now, Mail: d.awayMail(h, officer, t, open, ids[i], now)}
		if err := tx.AddJob(job); err != nil {
			return err
		}
	}
	return nil
}

// awayMail tells head that officer answered t with an out-of-office reply,
// and lists the officer's open tickets with their legal deadlines.
func (d *Desk) awayMail(head, officer inquiry.Officer, t *inquiry.Ticket, open []inquiry.Ticket, messageID string, now time.Time) *inquiry.Mail {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s) u përgjigj me përgjigje automatike (jashtë zyrës) në njoftimin për %s.\n", officer.Name, officer.Email, t.Number)
	b.WriteString("Përgjigjja automatike nuk iu dërgua qytetarit; ruhet në tiketë. Afatet ligjore vazhdojnë të rrjedhin.\n\n")
	if len(open) == 0 {
		b.WriteString("Zyrtari nuk ka tiketa të hapura.\n")
	} else {
		fmt.Fprintf(&b, "Tiketat e hapura të zyrtarit (%d):\n", len(open))
		for _, o := range open {
			due := "pa afat ligjor"
			if !o.DueAt.IsZero() {
				due = "afati ligjor " + o.DueAt.In(d.cfg.Location).Format("02.01.2006")
			}
			state := "pret përgjigje"
			if o.State == inquiry.Answered {
				state = "përgjigjur"
			}
			fmt.Fprintf(&b, "  - %s · %s · %s · %s · %s\n", o.Number, CategoryName(o.Category, inquiry.Albanian), state, due, oneLine(o.Subject, 60))
		}
	}
	b.WriteString("\nPër t'i caktuar një tiketë zyrtarit tjetër: sportel tickets assign NUMRI ZYRTARI.\n")
	return &inquiry.Mail{
		MessageID:   messageID,
		Date:        now,
		From:        d.cfg.Mailbox,
		To:          []inquiry.Address{head.Address()},
		Subject:     fmt.Sprintf("Sportel: %s është jashtë zyrës", officer.Name),
		AutoReplied: true,
		Headers:     map[string]string{"X-Sportel-Ticket": t.Number},
		Text:        b.String(),
	}
}
