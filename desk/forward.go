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

// forwardDuplicateTickets bounds how many of the citizen's tickets in that
// window are compared: the newest.
const forwardDuplicateTickets = 50

// officerForward files a citizen's message that an officer forwarded to the
// public mailbox (a citizen who wrote to the officer directly): the ticket
// is the citizen's, acknowledged to them and routed as their own mail
// would be, and the officer's words above the forward are kept as a note.
// A message the mailbox already has a ticket for (the citizen wrote here
// too, or the officer forwards it twice) is not filed again: the officer
// is told its number. It reports false when m forwards nothing a citizen
// can be answered at. A forward the ministry's receiving server did not
// vouch for (forwardVouched) is none of that: see unverifiedForward.
func (d *Desk) officerForward(tx store.Tx, m *inquiry.Message, officer inquiry.Officer, cls *inquiry.Classification, now time.Time) (intakeResult, bool, error) {
	fw := m.Forwarded
	if fw == nil {
		return intakeResult{}, false, nil
	}
	cm := citizenMessage(m)
	to := cm.ReplyAddress().Address
	if !validAddress(to) || strings.EqualFold(to, d.cfg.Mailbox.Address) {
		return intakeResult{}, false, nil
	}
	if _, isOfficer := d.officerByEmail(to); isOfficer {
		// A colleague's mail passed on is staff mail, not a citizen's.
		return intakeResult{}, false, nil
	}
	vouched, why := d.forwardVouched(m)
	if !vouched {
		return d.unverifiedForward(tx, m, officer, to, why, cls, now)
	}
	if t, found, err := d.followedTicket(tx, cm); err != nil {
		return intakeResult{}, false, err
	} else if found && sentByRequester(t, cm) {
		// The citizen wrote to the officer about her ticket: her message
		// joins it, as had she written to the mailbox.
		res, handled, err := d.citizenFollowUp(tx, cm, cls, now)
		if err != nil || !handled {
			return res, handled, err
		}
		if res.needClassification {
			res.classify = cm
			return res, true, nil
		}
		return res, true, d.note(tx, t.ID, officer.ID, "the message before was forwarded to the mailbox by "+officer.ID, now)
	}
	t, found, sourceSeen, err := d.forwardedBefore(tx, fw, cm, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	if found {
		return d.forwardedAgain(tx, m, officer, &t, now)
	}
	if cls == nil {
		return intakeResult{needClassification: true, classify: cm}, true, nil
	}
	nt, err := d.fileTicket(tx, cm, *cls, filing{}, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	note := fmt.Sprintf("forwarded to the mailbox by %s (%s); the citizen wrote to them directly", officer.ID, why)
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
	if fw.SourceID != "" && fw.SourceID != m.SourceID && !sourceSeen {
		// Should the citizen's own copy reach the mailbox later, it is this
		// ticket's already. (A copy taken in before without a ticket —
		// set aside — keeps its record.)
		if err := tx.MarkSource(fw.SourceID, nt.ID, now); err != nil {
			return intakeResult{}, false, err
		}
	}
	if nt.OfficerID != officer.ID {
		text := fmt.Sprintf("Mesazhi që përcollët nga %s u regjistrua si %s dhe i është caktuar %s. Qytetari mori konfirmimin me numrin e tiketës.\n",
			to, nt.Number, d.officerName(nt.OfficerID))
		if err := d.tellOfficer(tx, nt, officer, "Sportel: mesazhi i përcjellë u regjistrua ["+nt.Number+"]", text, now); err != nil {
			return intakeResult{}, false, err
		}
	}
	return intakeResult{disposition: inquiry.Filed, ticket: nt.Number, reason: "forwarded by " + officer.ID}, true, nil
}

// unverifiedForward files a forward the receiving server did not vouch
// for as what it can be shown to be: mail from its From address. Anyone
// can write an officer's address there, so the forwarded sender (to) is
// neither acknowledged nor filed as the citizen (nor joined to her
// ticket): that would let a stranger have the ministry write to any
// address. The ticket is the officer's own, as any other mail of theirs
// that names no ticket would be (one that names a ticket goes where such
// mail goes: it returns false); its acknowledgement, if any, goes to the
// From address, a configured officer's, never to a Reply-To. A note on it
// and a mail to the officer say the citizen heard nothing and how to have
// her filed: forward again from the ministry's own mail, or have her write
// to the mailbox. (Answering this ticket would reach the officer, not her.)
func (d *Desk) unverifiedForward(tx store.Tx, m *inquiry.Message, officer inquiry.Officer, to, why string,
	cls *inquiry.Classification, now time.Time) (intakeResult, bool, error) {
	if _, found, err := d.followedTicket(tx, m); err != nil || found {
		if err == nil {
			d.log.Warn("an officer's forward was not verified: taken in as their own mail naming a ticket; the forwarded sender is not acknowledged",
				"officer", officer.ID, "source", m.SourceID, "reason", why)
		}
		return intakeResult{}, false, err
	}
	if cls == nil {
		// Classified as the mail it is, the officer's.
		return intakeResult{needClassification: true}, true, nil
	}
	own := *m
	own.ReplyTo, own.NoReplySender, own.Forwarded = nil, false, nil
	nt, err := d.fileTicket(tx, &own, *cls, filing{}, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	note := fmt.Sprintf("forward not verified (%s): the citizen was not acknowledged. Filed as mail of %s; %s, "+
		"the sender of the forwarded message, was neither acknowledged nor made the requester", why, officer.ID, to)
	if err := d.note(tx, nt.ID, "sportel", note, now); err != nil {
		return intakeResult{}, false, err
	}
	text := fmt.Sprintf("Mesazhi që përcollët nga %[1]s u regjistrua si %[2]s, por si mesazh i juaji dhe jo i qytetarit: "+
		"serveri i postës së ministrisë nuk vërtetoi se e dërguat ju (%[3]s). Prandaj %[1]s nuk mori konfirmim dhe nuk u regjistrua si kërkues.\n\n"+
		"Nëse e përcollët ju, përcilleni sërish nga llogaria juaj zyrtare e postës (Outlook ose webmail-i i ministrisë), që serveri ta vërtetojë, "+
		"ose kërkojini qytetarit t'i shkruajë vetë adresës %[4]s: në të dyja rastet ai merr konfirmimin me numrin e tiketës. "+
		"Përgjigjja në tiketën %[2]s do t'ju vinte juve, jo atij.\n\n"+
		"Nëse nuk e përcollët ju, dikush tjetër shkroi në emrin tuaj: njoftoni administratorin e postës.\n",
		to, nt.Number, why, d.cfg.Mailbox.Address)
	if err := d.tellOfficer(tx, nt, officer, "Sportel: përcjellja nuk u verifikua ["+nt.Number+"]", text, now); err != nil {
		return intakeResult{}, false, err
	}
	d.log.Warn("an officer's forward was not verified: filed as their own mail; the forwarded sender is not acknowledged",
		"officer", officer.ID, "ticket", nt.Number, "source", m.SourceID, "reason", why)
	return intakeResult{disposition: inquiry.Filed, ticket: nt.Number, reason: "forward by " + officer.ID + " not verified"}, true, nil
}

// forwardedBefore finds the ticket the forwarded message already has: by
// its own key when it came attached whole, by its Message-ID, else a recent
// ticket of the same citizen whose first message says the same (a relay
// may have re-encoded an attached copy, a client rewrapped a quoted one).
// sourceSeen says its key is recorded already, with or without a ticket.
func (d *Desk) forwardedBefore(tx store.Tx, fw *inquiry.Forwarded, cm *inquiry.Message, now time.Time) (t inquiry.Ticket, found, sourceSeen bool, err error) {
	if fw.SourceID != "" {
		id, seen, err := tx.SourceTicket(fw.SourceID)
		if err != nil {
			return t, false, false, err
		}
		if seen && id != 0 {
			t, found, err = tx.TicketByID(id)
			return t, found, true, err
		}
		sourceSeen = seen
	}
	requester := cm.ReplyAddress().Address
	if fw.MessageID != "" {
		ref, ok, err := tx.FindThreadRef([]string{fw.MessageID})
		if err != nil {
			return t, false, sourceSeen, err
		}
		if ok {
			t, found, err := tx.TicketByID(ref.TicketID)
			if err != nil || (found && strings.EqualFold(t.Sender.Address, requester)) {
				return t, found, sourceSeen, err
			}
		}
	}
	want := sameWords(fw.Text)
	if want == "" {
		return t, false, sourceSeen, nil
	}
	// The store picks the window's newest few: a sender with thousands of
	// tickets must not make a forward read them all inside the intake's
	// transaction.
	tickets, err := tx.ListTickets(inquiry.TicketFilter{SenderAddress: requester, Channel: inquiry.ChannelEmail,
		ReceivedFrom: now.Add(-forwardDuplicateWindow), NewestFirst: true, Limit: forwardDuplicateTickets})
	if err != nil {
		return t, false, sourceSeen, err
	}
	for _, tk := range tickets {
		e, ok, err := tx.FirstEntry(tk.ID)
		if err != nil {
			return t, false, sourceSeen, err
		}
		if ok && sameWords(e.Text) == want {
			return tk, true, sourceSeen, nil
		}
	}
	return t, false, sourceSeen, nil
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
var forwardPrefix = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]\s*)?((fwd?|tr|wg|rv|enc|vs|vl|p[eë]rcj(ell[eë]?)?|prosl(eđeno|edjeno|eđena|edjena)?|просл(еђено)?|пров)\s*:\s*)+`)

// citizenMessage is the citizen's message that m, an officer's forward,
// carries, as if it had come to the mailbox itself: the ticket's record
// keeps m's raw mail (which holds it) and m's key.
func citizenMessage(m *inquiry.Message) *inquiry.Message {
	fw := m.Forwarded
	cm := *m
	cm.From, cm.ReplyTo, cm.NoReplySender = fw.From, fw.ReplyTo, fw.NoReplySender
	if fw.Raw != nil {
		// Attached whole: the record keeps the citizen's mail as she
		// wrote it, and her files are read from it.
		cm.Raw, cm.RawTruncated, cm.TooLarge = fw.Raw, false, false
		cm.Attachments = fw.Attachments
	}
	cm.Subject = fw.Subject
	if strings.TrimSpace(cm.Subject) == "" {
		cm.Subject = forwardPrefix.ReplaceAllString(m.Subject, "")
	}
	cm.Text = fw.Text
	cm.MessageID = fw.MessageID
	cm.InReplyTo, cm.References = nil, nil
	cm.SentAt = fw.SentAt
	cm.Forwarded = nil
	// The officer's mail client declared the officer's language, not
	// the citizen's.
	cm.ClientLanguage = ""
	return &cm
}

// sameWords is text reduced to its words, lower case, for comparing what a
// forward quotes with what came in: clients rewrap and respace quotes.
func sameWords(text string) string {
	return strings.ToLower(strings.Join(strings.Fields(text), " "))
}
