package desk

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// forwardDuplicateWindow is how far back a forward is compared with the
// same citizen's tickets, to find one the citizen's own mail opened.
const forwardDuplicateWindow = 60 * 24 * time.Hour

// officerForward files a citizen's message that an officer forwarded to the
// public mailbox (a citizen who wrote to the officer directly): the ticket
// is the citizen's, acknowledged to them and routed as their own mail
// would be, and the officer's words above the forward are kept as a note.
// A message the mailbox already has a ticket for (the citizen wrote here
// too, or the officer forwards it twice) is not filed again: the officer
// is told its number. It reports false when m forwards nothing a citizen
// can be answered at.
func (d *Desk) officerForward(tx store.Tx, m *inquiry.Message, officer inquiry.Officer, cls *inquiry.Classification, now time.Time) (intakeResult, bool, error) {
	fw := m.Forwarded
	if fw == nil || !validAddress(fw.From.Address) || strings.EqualFold(fw.From.Address, d.cfg.Mailbox.Address) {
		return intakeResult{}, false, nil
	}
	if _, isOfficer := d.officerByEmail(fw.From.Address); isOfficer {
		// A colleague's mail passed on is staff mail, not a citizen's.
		return intakeResult{}, false, nil
	}
	t, found, err := d.forwardedBefore(tx, fw, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	if found {
		return d.forwardedAgain(tx, m, officer, &t, now)
	}
	cm := citizenMessage(m)
	if cls == nil {
		return intakeResult{needClassification: true, classify: cm}, true, nil
	}
	nt, err := d.fileTicket(tx, cm, *cls, filing{}, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	note := fmt.Sprintf("forwarded to the mailbox by %s; the citizen wrote to them directly", officer.ID)
	if !fw.SentAt.IsZero() {
		// Noted, not taken as the receipt: a forward's text can say any
		// date, and whoever can write as an officer could start a clock
		// in the past.
		note += fmt.Sprintf(" (their mail is dated %s; the legal clock runs from the forward)", fw.SentAt.In(d.cfg.Location).Format("02.01.2006 15:04"))
	}
	if fw.Comment != "" {
		note += "; they wrote:\n\n" + fw.Comment
	}
	if err := d.note(tx, nt.ID, officer.ID, note, now); err != nil {
		return intakeResult{}, false, err
	}
	if fw.SourceID != "" && fw.SourceID != m.SourceID {
		// Should the citizen's own copy reach the mailbox later, it is this
		// ticket's already.
		if err := tx.MarkSource(fw.SourceID, nt.ID, now); err != nil {
			return intakeResult{}, false, err
		}
	}
	if nt.OfficerID != officer.ID {
		text := fmt.Sprintf("Mesazhi që përcollët nga %s u regjistrua si %s dhe i është caktuar %s. Qytetari mori konfirmimin me numrin e tiketës.\n",
			fw.From.Address, nt.Number, d.officerName(nt.OfficerID))
		if err := d.tellOfficer(tx, nt, officer, "Sportel: mesazhi i përcjellë u regjistrua ["+nt.Number+"]", text, now); err != nil {
			return intakeResult{}, false, err
		}
	}
	return intakeResult{disposition: inquiry.Filed, ticket: nt.Number, reason: "forwarded by " + officer.ID}, true, nil
}

// forwardedBefore finds the ticket the forwarded message already has: by
// its own key when it came attached whole, else a recent ticket of the
// same citizen whose first message says the same.
func (d *Desk) forwardedBefore(tx store.Tx, fw *inquiry.Forwarded, now time.Time) (inquiry.Ticket, bool, error) {
	if fw.SourceID != "" {
		id, seen, err := tx.SourceTicket(fw.SourceID)
		if err != nil || !seen || id == 0 {
			return inquiry.Ticket{}, false, err
		}
		return tx.TicketByID(id)
	}
	want := sameWords(fw.Text)
	if want == "" {
		return inquiry.Ticket{}, false, nil
	}
	tickets, err := tx.ListTickets(inquiry.TicketFilter{SenderAddress: fw.From.Address, Channel: inquiry.ChannelEmail, Limit: 20})
	if err != nil {
		return inquiry.Ticket{}, false, err
	}
	for _, t := range tickets {
		if now.Sub(t.ReceivedAt) > forwardDuplicateWindow {
			continue
		}
		e, ok, err := tx.FirstEntry(t.ID)
		if err != nil {
			return inquiry.Ticket{}, false, err
		}
		if ok && sameWords(e.Text) == want {
			return t, true, nil
		}
	}
	return inquiry.Ticket{}, false, nil
}

// forwardedAgain keeps a forward of a message that has its ticket as a note
// there and tells the officer the number.
func (d *Desk) forwardedAgain(tx store.Tx, m *inquiry.Message, officer inquiry.Officer, t *inquiry.Ticket, now time.Time) (intakeResult, bool, error) {
	e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: m.SourceID, MessageID: m.MessageID,
		Author: officer.ID, Subject: m.Subject, Text: "forwarded again by " + officer.ID + ": the citizen's message is this ticket's already\n\n" + m.Text,
		Attachments: recordedAttachments(m), Raw: m.Raw, CreatedAt: now}
	text := fmt.Sprintf("Mesazhi që përcollët nga %s është tashmë në tiketën %s (%s); nuk u hap tiketë e re dhe qytetari nuk mori konfirmim të dytë. "+
		"Mesazhi juaj ruhet si shënim në të.\n", m.Forwarded.From.Address, t.Number, d.officerName(t.OfficerID))
	tell := d.staffMail("command-report", officer, "Sportel: mesazhi i përcjellë është tashmë ["+t.Number+"]", text, now)
	return d.keepAndTell(tx, m, officer, t, e, tell, "forwarded message already filed", now)
}

// tellOfficer queues a short mail about t to officer.
func (d *Desk) tellOfficer(tx store.Tx, t *inquiry.Ticket, officer inquiry.Officer, subject, text string, now time.Time) error {
	if officer.Email == "" {
		return nil
	}
	return tx.AddJob(&inquiry.Job{TicketID: t.ID, Kind: inquiry.JobCommandReport, Recipient: officer.ID, State: inquiry.JobPending,
		NextAt: now, CreatedAt: now, Mail: d.staffMail("command-report", officer, subject, text, now)})
}

// officerName is an officer's name, or their id when not configured.
func (d *Desk) officerName(id string) string {
	if o, ok := d.officers[id]; ok && o.Name != "" {
		return o.Name
	}
	return id
}

// forwardPrefix is the "Fwd:"-like start of a forward's subject.
var forwardPrefix = regexp.MustCompile(`(?i)^\s*((fwd?|tr|wg|rv|p[eë]rcj(ell[eë]?)?|prosl(eđeno|edjeno)?|просл(еђено)?|пров)\s*:\s*)+`)

// citizenMessage is the citizen's message that m, an officer's forward,
// carries, as if it had come to the mailbox itself: the ticket's record
// keeps m's raw mail (which holds it) and m's key.
func citizenMessage(m *inquiry.Message) *inquiry.Message {
	fw := m.Forwarded
	cm := *m
	cm.From, cm.ReplyTo, cm.NoReplySender = fw.From, nil, false
	cm.Subject = fw.Subject
	if strings.TrimSpace(cm.Subject) == "" {
		cm.Subject = forwardPrefix.ReplaceAllString(m.Subject, "")
	}
	cm.Text = fw.Text
	cm.MessageID = fw.MessageID
	cm.InReplyTo, cm.References = nil, nil
	cm.SentAt = fw.SentAt
	cm.Forwarded = nil
	return &cm
}

// sameWords is text reduced to its words, lower case, for comparing what a
// forward quotes with what came in: clients rewrap and respace quotes.
func sameWords(text string) string {
	return strings.ToLower(strings.Join(strings.Fields(text), " "))
}
