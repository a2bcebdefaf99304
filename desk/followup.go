package desk

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"sportel/classifier"
	"sportel/inquiry"
	"sportel/store"
)

// citizenFollowUp adds a mail to the ticket it belongs to. A mail joins a
// ticket only when it was sent from the ticket's requester address (where
// its acknowledgement went), or replies to our mail about it from the
// address its first mail came from (fromRequester); its references, else
// the number in its subject, pick which ticket. Anyone else who refers to a ticket (a
// stranger quoting a number, or a mail whose Reply-To names the requester
// while it comes from elsewhere) gets a new ticket that notes the mention:
// Reply-To says where an answer goes, never who wrote.
func (d *Desk) citizenFollowUp(tx store.Tx, m *inquiry.Message, cls *inquiry.Classification, now time.Time) (intakeResult, bool, error) {
	t, requester, found, err := d.followed(tx, m)
	if err != nil || !found {
		return intakeResult{}, false, err
	}
	if requester && (t.State == inquiry.SpamMail || t.State == inquiry.BulkMail) {
		// The filter may have been wrong about the first mail: a person who
		// writes again (unflagged, or this would not be here) is heard, on a
		// new ticket that names the one kept as spam or bulk. Joined to it,
		// nobody would ever read it.
		return d.fileLinked(tx, m, cls, t.Number, now)
	}
	if !requester {
		fl := filing{mentions: t.Number}
		acked, err := d.answersAck(tx, m)
		if err != nil {
			return intakeResult{}, false, err
		}
		if acked != "" {
			// Another system's acknowledgement of ours (a ticket system
			// answering from a new address for each of its tickets):
			// acknowledged in turn, it would answer again, ticket after
			// ticket until the day's cap. Nobody else has our Message-ID.
			fl.noAck = "it replies to the acknowledgement of " + acked + " from another address (an acknowledgement is not acknowledged, so that no mail loop starts)"
		}
		res, err := d.file(tx, m, cls, fl, now)
		return res, err == nil, err
	}
	if res, again, err := d.followUpAgain(tx, &t, m, now); err != nil || again {
		return res, again, err
	}
	keptClosed := false
	if t.State == inquiry.Closed {
		if now.Sub(t.ClosedAt) > time.Duration(d.cfg.ReopenDays)*24*time.Hour {
			return d.fileLinked(tx, m, cls, t.Number, now)
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
			if err := d.noteReopen(tx, t.ID, "sportel", "reopened by the citizen's reply (was closed: "+was+")", now); err != nil {
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
	if err := recordMailRef(tx, m, t.ID); err != nil {
		return intakeResult{}, false, err
	}
	if lang := followUpLanguage(t, m); lang != t.Language {
		if err := d.note(tx, t.ID, "sportel", fmt.Sprintf("language of the ticket: %s → %s, as the citizen's reply is written", t.Language, lang), now); err != nil {
			return intakeResult{}, false, err
		}
		t.Language = lang
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

// fileLinked files m, the requester's mail about the ticket numbered
// linkedTo that may not join it, as a new ticket linked to it, unless m is
// a copy of the mail that opened such a ticket already (sentAgain): the
// client sent the reply twice, and a second number, acknowledgement and
// notification would make one request two.
func (d *Desk) fileLinked(tx store.Tx, m *inquiry.Message, cls *inquiry.Classification, linkedTo string, now time.Time) (intakeResult, bool, error) {
	if res, again, err := d.sentAgain(tx, m, now); err != nil || again {
		return res, again, err
	}
	res, err := d.file(tx, m, cls, filing{linkedTo: linkedTo}, now)
	return res, err == nil, err
}

// followedTicket is the ticket m follows up: of the tickets its references
// name, the first m's sender asked; else of the numbers in its subject, the
// last whose ticket m's sender asked; else the first ticket named (found
// false: none).
func (d *Desk) followedTicket(tx store.Tx, m *inquiry.Message) (inquiry.Ticket, bool, error) {
	t, _, found, err := d.followed(tx, m)
	return t, found, err
}

// followed is followedTicket that also says whether m comes from the
// ticket's requester (fromRequester).
func (d *Desk) followed(tx store.Tx, m *inquiry.Message) (t inquiry.Ticket, requester, found bool, err error) {
	type named struct {
		t         inquiry.Ticket
		requester bool
	}
	var tickets []named
	// The mail replied to names the ticket; further back, when that one is
	// not the sender's, the thread may name theirs (two citizens answering
	// each other with "reply all"). Looked for only then: a lookup each.
	refd, err := d.referencedTickets(tx, m, 1)
	if err != nil {
		return inquiry.Ticket{}, false, false, err
	}
	for i := 0; i < len(refd); i++ {
		req, err := d.fromRequester(tx, refd[i], m, true)
		if err != nil {
			return inquiry.Ticket{}, false, false, err
		}
		tickets = append(tickets, named{refd[i], req})
		if req {
			break
		}
		if i == 0 {
			// refd[0] stays the first.
			if refd, err = d.referencedTickets(tx, m, maxThreadTickets); err != nil {
				return inquiry.Ticket{}, false, false, err
			}
		}
	}
	// A subject may name several tickets: our acknowledgement adds the
	// number of the ticket it opened after any its subject named (another
	// sender's, or the sender's own one closed long ago), so the sender's
	// own are tried from the last. A stranger's mail mentions the first.
	// Each number costs a lookup, hence the bound.
	byRef := len(tickets)
	for _, num := range inquiry.FindNumbers(d.cfg.Prefix, m.Subject, maxSubjectNumbers) {
		if slices.ContainsFunc(refd, func(t inquiry.Ticket) bool { return t.Number == num }) {
			continue
		}
		t, ok, err := tx.TicketByNumber(num)
		if err != nil {
			return inquiry.Ticket{}, false, false, err
		}
		if ok {
			tickets = append(tickets, named{t, sentByRequester(t, m)})
		}
	}
	for _, n := range tickets[:byRef] {
		if n.requester {
			return n.t, true, true, nil
		}
	}
	for i := len(tickets) - 1; i >= byRef; i-- {
		if tickets[i].requester {
			return tickets[i].t, true, true, nil
		}
	}
	if len(tickets) == 0 {
		return inquiry.Ticket{}, false, false, nil
	}
	return tickets[0].t, false, true, nil
}

// maxThreadTickets bounds the tickets of a thread's references that are
// looked at: a ticket each for the citizens who answer one another on it.
const maxThreadTickets = 3

// maxSubjectNumbers bounds the ticket numbers of a subject that are looked
// up: a reply's subject names one or two, "Re: Fwd:" chains a few more.
const maxSubjectNumbers = 4

// fromRequester reports whether m comes from t's requester: sent from the
// address t is addressed to (sentByRequester), or, when m replies to a
// mail we sent about t (byRef), from the From address of the mail that
// opened t. A citizen whose client sets a Reply-To gets our mail there and
// may answer from the address they wrote from; the reply to our mail, whose
// Message-ID only its recipient knows, and the opener's From together say
// it is theirs. A Reply-To naming anyone but the requester is a stranger's
// mail, as elsewhere; the number in a subject alone proves nothing (a
// contact form writes every citizen's mail from one From).
func (d *Desk) fromRequester(tx store.Tx, t inquiry.Ticket, m *inquiry.Message, byRef bool) (bool, error) {
	if sentByRequester(t, m) {
		return true, nil
	}
	if !byRef || t.Channel != inquiry.ChannelEmail || m.Channel != inquiry.ChannelEmail || m.From.Address == "" {
		return false, nil
	}
	if rt := m.ReplyTo; rt != nil && rt.Address != "" && !strings.EqualFold(rt.Address, t.Sender.Address) {
		return false, nil
	}
	var ours []string
	for _, ref := range slices.Concat(m.InReplyTo, m.References) {
		if strings.HasPrefix(ref, MessageIDPrefix) {
			ours = append(ours, ref)
		}
	}
	if len(ours) == 0 {
		return false, nil
	}
	ref, ok, err := tx.FindThreadRef(ours[:min(len(ours), maxRefLookups)])
	if err != nil || !ok || ref.TicketID != t.ID || ref.Kind == "" {
		return false, err
	}
	first, ok, err := tx.FirstEntry(t.ID)
	if err != nil || !ok {
		return false, err
	}
	// The record names a mail's author by its From, with a Reply-To that
	// differs beside it (senderName).
	from, _, _ := strings.Cut(first.Author, " (Reply-To: ")
	return strings.EqualFold(from, m.From.Address), nil
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

// followUpAgain keeps as a note a follow-up the citizen's client sent again
// (a new Message-ID; the same From, subject, words and files as the newest
// message on t, within resendWindow), as sentAgain does for a ticket's first
// message: the officer heard of the first copy, so nothing is queued, and
// the ticket's state is left as the first copy set it. It reports false
// when m is no such copy.
func (d *Desk) followUpAgain(tx store.Tx, t *inquiry.Ticket, m *inquiry.Message, now time.Time) (intakeResult, bool, error) {
	last, err := tx.LastEntries(t.ID, inquiry.EntryInbound, 1)
	if err != nil {
		return intakeResult{}, false, fmt.Errorf("look for an earlier copy of a follow-up on %s: %w", t.Number, err)
	}
	received := m.ReceivedAt
	if received.IsZero() {
		received = now
	}
	if len(last) == 0 {
		return intakeResult{}, false, nil
	}
	e := last[0]
	if received.Sub(e.CreatedAt) > resendWindow || sameWords(e.Subject) != sameWords(m.Subject) || !sameMessage(e, m) {
		return intakeResult{}, false, nil
	}
	return keepSentAgain(tx, m, t, "the same message as the one of "+
		e.CreatedAt.In(d.cfg.Location).Format("2 Jan 2006 15:04")+", so the officer is not notified again", now)
}

// switchWords is how many words of their own, all clearly in another
// language, a citizen's reply needs to move their ticket to it: "ok",
// "thanks" or a line under an English phone footer do not.
const switchWords = 8

// followUpLanguage is the language t is answered in after the citizen's
// mail m joined it: t's own, unless t had none (a scan without words,
// acknowledged in Albanian with an English line) and m tells one, by its
// words or its Content-Language, or the citizen clearly switched: m's own
// words, at least switchWords of them, are in another language.
func followUpLanguage(t inquiry.Ticket, m *inquiry.Message) inquiry.Language {
	if t.Channel != inquiry.ChannelEmail {
		return t.Language
	}
	lang, clear, words := classifier.TextLanguage(m.Text)
	switch {
	case !ourLanguage(t.Language) && ourLanguage(lang):
		return lang
	case !ourLanguage(t.Language) && ourLanguage(m.ClientLanguage):
		return m.ClientLanguage
	case ourLanguage(lang) && clear && lang != t.Language && words >= switchWords:
		return lang
	}
	return t.Language
}

// answersAck is the number of the ticket whose acknowledgement m replies
// to (its In-Reply-To, else its last reference), "" when it replies to
// none.
func (d *Desk) answersAck(tx store.Tx, m *inquiry.Message) (string, error) {
	var ours []string
	for _, ref := range repliedTo(m) {
		if strings.HasPrefix(ref, MessageIDPrefix) {
			ours = append(ours, ref)
		}
	}
	if len(ours) == 0 {
		return "", nil
	}
	ref, ok, err := tx.FindThreadRef(ours[:min(len(ours), maxRefLookups)])
	if err != nil || !ok || ref.Kind != inquiry.JobAck {
		return "", err
	}
	t, ok, err := tx.TicketByID(ref.TicketID)
	if err != nil || !ok {
		return "", err
	}
	return t.Number, nil
}
