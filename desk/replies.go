package desk

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"sportel/inquiry"
	"sportel/store"
)

// referencedTicket finds the ticket that m's In-Reply-To or References name:
// the mail replied to first, then the thread newest first (a client that
// threads by References alone replies to its last entry; its oldest may
// be a ticket since closed and followed by a new one).
func (d *Desk) referencedTicket(tx store.Tx, m *inquiry.Message) (inquiry.Ticket, bool, error) {
	ts, err := d.referencedTickets(tx, m, 1)
	if err != nil || len(ts) == 0 {
		return inquiry.Ticket{}, false, err
	}
	return ts[0], true, nil
}

// referencedTickets lists the distinct tickets m's In-Reply-To and
// References name, in the order referencedTicket tries them, from at most
// max lookups. A thread may name several: two citizens who
// answer each other with "reply all" each reply to the other's mail, and
// name their own further back.
func (d *Desk) referencedTickets(tx store.Tx, m *inquiry.Message, max int) ([]inquiry.Ticket, error) {
	refs := append(append([]string(nil), m.InReplyTo...), m.References...)
	slices.Reverse(refs[len(m.InReplyTo):])
	if max > 1 {
		// In-Reply-To is usually References' last too: not looked up twice.
		seen := make(map[string]bool, len(refs))
		refs = slices.DeleteFunc(refs, func(r string) bool {
			dup := seen[r]
			seen[r] = true
			return dup
		})
	}
	var out []inquiry.Ticket
	for range max {
		if len(refs) == 0 {
			break
		}
		ref, ok, err := tx.FindThreadRef(refs)
		if err != nil || !ok {
			return out, err
		}
		if slices.IndexFunc(out, func(t inquiry.Ticket) bool { return t.ID == ref.TicketID }) < 0 {
			t, ok, err := tx.TicketByID(ref.TicketID)
			if err != nil {
				return out, err
			}
			if ok {
				out = append(out, t)
			}
		}
		// The store may give the reference back in another form (a
		// PostgreSQL text cleaned of what it cannot hold): then the rest
		// is not looked at.
		i := slices.Index(refs, ref.Ref)
		if i < 0 {
			break
		}
		refs = refs[i+1:]
	}
	return out, nil
}

// notifiedTicket finds the ticket of the notification that m, an
// officer's mail, replies to, when that notification was sent to this
// officer. The notification's Message-ID is random, so the reply cannot be
// forged by guessing.
func (d *Desk) notifiedTicket(tx store.Tx, m *inquiry.Message, officer inquiry.Officer) (inquiry.Ticket, bool, error) {
	parent := repliedTo(m)
	if len(parent) == 0 {
		return inquiry.Ticket{}, false, nil
	}
	ref, ok, err := tx.FindThreadRef(parent)
	if err != nil || !ok {
		return inquiry.Ticket{}, false, err
	}
	if ref.Kind != inquiry.JobNotify || ref.OfficerID != officer.ID {
		return inquiry.Ticket{}, false, nil
	}
	return tx.TicketByID(ref.TicketID)
}

// officerReply relays an officer's answer to the citizen when the officer
// replied to a notification that was sent to them, and applies the
// #commands on lines of their own in it (see ParseCommands) in the same
// transaction: every command but #close before the answer, #close after
// it, so a decision can go out in the answer.
func (d *Desk) officerReply(tx store.Tx, m *inquiry.Message, officer inquiry.Officer, now time.Time) (intakeResult, bool, error) {
	t, ok, err := d.notifiedTicket(tx, m, officer)
	if err != nil || !ok {
		return intakeResult{}, false, err
	}
	sent, err := d.sentToOfficer(tx, m, &t, officer)
	if err != nil {
		return intakeResult{}, false, err
	}
	alts := d.placeImages(m, officer, sent)
	own, quoted := officerAnswer(m.Text, sent)
	text, cmds := ParseCommands(own)
	lastWordWins(cmds)
	text = withoutImageMarks(text, m.Attachments, alts)
	if m.TooLarge {
		// Only its start was read: relaying it would send the citizen a cut
		// answer without its files. Keep it and tell the officer; its
		// commands wait for the answer sent again.
		e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: m.SourceID, MessageID: m.MessageID,
			Author: officer.ID, Subject: m.Subject, Text: "answer not relayed: " + strings.Join(m.ParseProblems, "; ") + "\n\n" + own,
			Attachments: recordedAttachments(m), Raw: m.Raw, CreatedAt: now}
		return d.keepAndTell(tx, m, officer, &t, e, d.tooLargeAnswerMail(officer, &t, m, len(cmds) > 0, now), "officer's answer too large", now)
	}
	// Commands in the subject and those taken for the quote are not done
	// either; they are refused, so that the officer hears of them in the
	// report (a mail of no other words gets it as one of commands only).
	cmds = slices.Concat(subjectCommands(m.Subject, sentSubjects(sent), cmds), cmds, quotedCommands(quoted))
	if signatureOnly(text, officer, d.cfg.DivisionName) {
		// A signature is not an answer: sent alone, it would tell the
		// citizen nothing, and a #close with it would count the decision
		// as given in that answer, so no decision notice would go out.
		text = ""
	}
	if text == "" && !attachedFiles(d.officersFiles(m.Attachments)) {
		if len(cmds) > 0 {
			// This includes a reply whose only lines were commands meant but
			// misspelled ("#mbyll granted"): those are commands refused, so
			// the officer gets one report that names them and says nothing
			// went to the citizen, rather than a "no answer of your own"
			// mail that would not say the command failed.
			return d.commandMail(tx, m, officer, &t, own, cmds, now)
		}
		// Nothing of the officer's own is left once the quoted notification
		// is gone. Keep the mail as it came and tell the officer, who may
		// believe they answered.
		e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: m.SourceID, MessageID: m.MessageID,
			Author: officer.ID, Subject: m.Subject, Text: "reply from officer without an answer of their own, not relayed\n\n" + m.Text,
			Raw: m.Raw, CreatedAt: now}
		return d.keepAndTell(tx, m, officer, &t, e, d.emptyAnswerMail(officer, &t, now), "officer's reply has no answer of their own", now)
	}
	before, closing := splitClosing(cmds)
	results, err := d.runCommands(tx, &t, officer, before, false, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	var res intakeResult
	relayed := answerable(&t)
	if relayed {
		if err := d.relayAnswer(tx, &t, officer, text, m, nil, now); err != nil {
			return intakeResult{}, false, err
		}
		if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
			return intakeResult{}, false, err
		}
		res = intakeResult{disposition: inquiry.Relayed, ticket: t.Number}
	} else {
		// Nobody to send it to: keep the answer on the record and tell the
		// officer, rather than fail the message (and every one after it).
		e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: m.SourceID, MessageID: m.MessageID,
			Author: officer.ID, Subject: m.Subject, Text: "answer not delivered: the citizen left no address to answer\n\n" + text,
			Attachments: recordedAttachments(m), Raw: m.Raw, CreatedAt: now}
		if res, _, err = d.keepAndTell(tx, m, officer, &t, e, d.undeliverableMail(officer, &t, now), "answer to a ticket without an address", now); err != nil {
			return intakeResult{}, false, err
		}
	}
	if len(cmds) == 0 {
		return res, true, nil
	}
	after, err := d.runCommands(tx, &t, officer, closing, relayed, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	results = append(results, after...)
	t.UpdatedAt = now
	if err := d.saveTicket(tx, &t); err != nil {
		return intakeResult{}, false, err
	}
	summary, err := d.reportCommands(tx, officer, &t, results, relayed, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	res.reason = strings.TrimPrefix(res.reason+"; "+summary, "; ")
	return res, true, nil
}

// splitClosing separates the #close commands, which run after the answer
// is relayed, from the others, which run before it.
func splitClosing(cmds []Command) (before, closing []Command) {
	for _, c := range cmds {
		if c.Name == "close" {
			closing = append(closing, c)
		} else {
			before = append(before, c)
		}
	}
	return before, closing
}

// commandMail takes in an officer's reply that holds only commands: it is
// kept on the ticket as it came, the commands are applied, and the officer
// gets a report of what was done. The citizen gets nothing.
func (d *Desk) commandMail(tx store.Tx, m *inquiry.Message, officer inquiry.Officer, t *inquiry.Ticket, own string, cmds []Command, now time.Time) (intakeResult, bool, error) {
	e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: m.SourceID, MessageID: m.MessageID,
		Author: officer.ID, Subject: m.Subject, Text: "commands by mail, nothing relayed\n\n" + own, Raw: m.Raw, CreatedAt: now}
	if err := tx.AddEntry(e); err != nil {
		return intakeResult{}, false, err
	}
	// With no answer to wait for, they run as written.
	results, err := d.runCommands(tx, t, officer, cmds, false, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	t.UpdatedAt = now
	if err := d.saveTicket(tx, t); err != nil {
		return intakeResult{}, false, err
	}
	if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
		return intakeResult{}, false, err
	}
	summary, err := d.reportCommands(tx, officer, t, results, false, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	return intakeResult{disposition: inquiry.Attached, ticket: t.Number, reason: summary}, true, nil
}

// keepAndTell records an officer's mail that was not relayed as e, and
// queues mail telling the officer why.
func (d *Desk) keepAndTell(tx store.Tx, m *inquiry.Message, officer inquiry.Officer, t *inquiry.Ticket, e *inquiry.Entry,
	tell *inquiry.Mail, reason string, now time.Time) (intakeResult, bool, error) {
	if err := tx.AddEntry(e); err != nil {
		return intakeResult{}, false, err
	}
	job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobQuarantined, Recipient: officer.ID, State: inquiry.JobPending,
		NextAt: now, CreatedAt: now, Mail: tell}
	if err := tx.AddJob(job); err != nil {
		return intakeResult{}, false, err
	}
	if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
		return intakeResult{}, false, err
	}
	return intakeResult{disposition: inquiry.Attached, ticket: t.Number, reason: reason}, true, nil
}

// sentToOfficerEntries bounds how much of a long conversation is read to
// recognise what an officer's reply quotes, and sentToOfficerRefs how many
// of its references are looked up.
const (
	sentToOfficerEntries = 50
	sentToOfficerRefs    = 10
)

// sentToOfficer returns the texts an officer's reply m may quote: the
// notifications to them about t that m refers to (the one it answers, and
// earlier ones a client keeps quoting), and the citizen's messages, which
// every notification carries.
func (d *Desk) sentToOfficer(tx store.Tx, m *inquiry.Message, t *inquiry.Ticket, officer inquiry.Officer) ([]string, error) {
	var sent []string
	// References lists the oldest first; the newest are what is quoted.
	older := m.References[max(len(m.References)-sentToOfficerRefs, 0):]
	refs := slices.Concat(m.InReplyTo, older)
	refs = refs[:min(len(refs), sentToOfficerRefs)]
	seen := make(map[int64]bool)
	for _, ref := range refs {
		j, ok, err := tx.JobByMessageID(ref)
		if err != nil {
			return nil, err
		}
		if !ok || seen[j.ID] || j.Kind != inquiry.JobNotify || j.Recipient != officer.ID || j.TicketID != t.ID || j.Mail == nil {
			continue
		}
		seen[j.ID] = true
		sent = append(sent, j.Mail.Subject+"\n"+j.Mail.Text)
	}
	inbound, err := tx.LastEntries(t.ID, inquiry.EntryInbound, sentToOfficerEntries)
	if err != nil {
		return nil, err
	}
	for _, e := range inbound {
		sent = append(sent, e.Subject+"\n"+e.Text)
	}
	return sent, nil
}

// sentSubjects are the subjects of sent (sentToOfficer), each its first
// line.
func sentSubjects(sent []string) []string {
	out := make([]string, len(sent))
	for i, s := range sent {
		out[i], _, _ = strings.Cut(s, "\n")
	}
	return out
}

// answerable reports whether an answer to t has somewhere to go.
func answerable(t *inquiry.Ticket) bool {
	return t.Channel == inquiry.ChannelTelegram || t.Sender.Address != ""
}

// relayAnswer records an officer's answer and queues it to the citizen on
// the ticket's own channel; the ticket becomes answered. m is the officer's
// mail, or nil for an answer given in Telegram; files are the Telegram
// files of such an answer, for a Telegram ticket's private chat only.
func (d *Desk) relayAnswer(tx store.Tx, t *inquiry.Ticket, officer inquiry.Officer, text string, m *inquiry.Message, files []inquiry.ChatFile, now time.Time) error {
	e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryAnswer, Author: officer.ID, Text: text, CreatedAt: now}
	if m != nil {
		e.SourceID, e.MessageID, e.Attachments, e.Raw = m.SourceID, m.MessageID, recordedAttachments(m), m.Raw
	}
	for _, f := range files {
		// Telegram keeps the bytes: recorded as a file not kept, with its
		// file id, as a citizen's file that could not be downloaded is.
		e.Attachments = append(e.Attachments, inquiry.Attachment{Name: f.Name, ContentType: f.ContentType, Size: f.Size,
			FileID: f.FileID, Truncated: true})
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
	if t.State == inquiry.Closed {
		// An officer answering by mail a requester who wrote after the
		// ticket was closed (the notification asks for it): the answer goes,
		// and the ticket stays closed as it was decided. Opened again as
		// answered, a decided request would count as pending and, once its
		// deadline passed, as refused by silence.
		if err := d.note(tx, t.ID, officer.ID, "answered after the ticket was closed; it stays closed ("+string(t.Outcome)+")", now); err != nil {
			return err
		}
	} else {
		t.State = inquiry.Answered
		t.AnsweredAt = now
	}
	t.UpdatedAt = now
	if held {
		if m != nil && officer.Email != "" {
			// In Telegram the bot says so at once; by mail nothing would,
			// and the officer would take the citizen to have the answer
			// (and its files) when it waits for a chat that may never open.
			tell := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobQuarantined, Recipient: officer.ID, State: inquiry.JobPending,
				NextAt: now, CreatedAt: now, Mail: d.heldAnswerMail(officer, t, now)}
			if err := tx.AddJob(tell); err != nil {
				return err
			}
		}
		return d.saveTicket(tx, t)
	}
	job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobAnswer, State: inquiry.JobPending, NextAt: now, CreatedAt: now}
	switch {
	case t.Channel == inquiry.ChannelTelegram:
		job.Recipient = fmt.Sprintf("tg:%d", t.ChatID)
		job.Chat = &inquiry.ChatMessage{ChatID: t.ChatID, Text: d.cfg.Templates.TelegramAnswer(t, text), Files: files, Officer: officer.ID}
		// The officer's files go after the text, read from the stored mail
		// when sent. One Telegram refuses is left out here, where its size
		// is known, and the officer told: failing at send time would leave
		// the citizen with the text alone and nobody knowing.
		var tooLarge []inquiry.Attachment
		job.Chat.AttachFrom, tooLarge = d.chatFiles(m)
		if len(tooLarge) > 0 {
			if err := d.leftOutOfChat(tx, officer, t, tooLarge, now); err != nil {
				return err
			}
		}
	case t.Sender.Address != "":
		job.Recipient = strings.ToLower(t.Sender.Address)
		job.Mail = d.answerMail(t, text, m, now)
	default:
		// An officer's mistake to be told in their language, not a
		// failure of the system (the web and the bot say those as such).
		return refuseAs(RefusedNoAddress, t, "answer %s: the ticket has no address to answer", t.Number)
	}
	if err := tx.AddJob(job); err != nil {
		return err
	}
	return d.saveTicket(tx, t)
}

// heldAnswerMail tells an officer who answered by mail a ticket from the
// public Telegram group that the answer waits for the citizen's private
// chat with the bot.
func (d *Desk) heldAnswerMail(officer inquiry.Officer, t *inquiry.Ticket, now time.Time) *inquiry.Mail {
	text := fmt.Sprintf("Përgjigjja juaj për %s u ruajt, por ende nuk i ka arritur qytetarit: ai shkroi në grupin publik të Telegram-it, "+
		"ku përgjigjja nuk dërgohet, dhe boti nuk mund t'i shkruajë privatisht dikujt që nuk ka hapur bisedë me të.\n"+
		"Qytetari e merr përgjigjen (me skedarët e saj) sapo të hapë bisedën me botin. Tiketa tani është e përgjigjur; "+
		"përgjigjja ruhet në tiketë (sportel tickets show %s).\n", t.Number, t.Number)
	return d.staffMail("held", officer, "Sportel: përgjigjja pret bisedën private ["+t.Number+"]", text, now)
}

// emptyAnswerMail tells an officer that their reply carried no answer of
// their own once the quoted notification was taken out, so nothing went to
// the citizen.
func (d *Desk) emptyAnswerMail(officer inquiry.Officer, t *inquiry.Ticket, now time.Time) *inquiry.Mail {
	text := fmt.Sprintf("Qytetarit nuk iu dërgua asgjë për %s: përgjigjja juaj përmbante vetëm njoftimin e cituar, pa tekst tuajin.\n"+
		"Shkruani përgjigjen mbi ose nën njoftimin e cituar dhe dërgojeni sërish. Mesazhi juaj ruhet si shënim në tiketë (sportel tickets show %s).\n",
		t.Number, t.Number)
	return d.staffMail("undeliverable", officer, "Sportel: asgjë nuk u dërgua ["+t.Number+"]", text, now)
}

// attachedFiles reports whether files holds one to send on: one the writer
// attached or pasted into their words, not only images of their signature
// (an Outlook signature's logo) or of the quoted mail.
func attachedFiles(files []inquiry.Attachment) bool {
	for _, a := range files {
		if a.NotSent == "" {
			return true
		}
	}
	return false
}

// signatureOnly reports whether text, an officer's own words, is nothing
// but a signature: everything from a "-- " line on, or lines that are the
// officer's name, title or the division's name, or contact lines.
func signatureOnly(text string, officer inquiry.Officer, division map[inquiry.Language]string) bool {
	if strings.TrimSpace(text) == "" {
		return false
	}
	known := map[string]bool{}
	for _, s := range []string{officer.Name, officer.Title, officer.Email} {
		known[strings.ToLower(strings.TrimSpace(s))] = true
	}
	for _, s := range division {
		known[strings.ToLower(strings.TrimSpace(s))] = true
	}
	signed := false
	for line := range strings.SplitSeq(text, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case len(l) >= 2 && strings.Trim(l, "-_") == "":
			return true // "-- " or a rule: the signature starts, nothing above it
		case l == "" || contactLine(l) || deviceFooter.MatchString(l) || hashtagsOnly(l):
			continue
		case known[strings.ToLower(l)]:
			signed = true
		case signed && signatureLine(l):
			// Under the officer's name, title or division, the rest of a
			// signature: the ministry, its address. Outlook adds it to
			// every reply, so commands alone would otherwise relay it as
			// the citizen's answer and the decision as given in it.
			continue
		default:
			return false
		}
	}
	return true
}

// contactLine reports whether l is a signature's contact line: a phone,
// mail or web address, or a closing ("Me respekt,").
func contactLine(l string) bool {
	lower := strings.ToLower(l)
	for _, p := range []string{"tel", "mob", "phone", "fax", "e-mail", "email", "www.", "http", "me respekt", "srdačan pozdrav", "s poštovanjem", "kind regards", "best regards", "regards"} {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return false
}

// signatureLine reports whether l, under a signature's name, reads as
// more of it rather than as a sentence: short, and not ended as a
// sentence or a question is.
func signatureLine(l string) bool {
	return utf8.RuneCountInString(l) <= 80 && !strings.ContainsAny(l[len(l)-1:], ".!?:")
}

// deviceFooter matches the line a phone's or an app's mail client adds
// under what the officer typed, in the officers' languages: with
// commands alone it is no answer, and relayed it would tell the citizen
// "Sent from my iPhone" and count a #close as decided in it.
var deviceFooter = regexp.MustCompile(`(?i)^(sent from my |sent from (outlook|mail|yahoo mail) for |get outlook for (ios|android)|` +
	`dërguar nga (iphone|ipad|android|samsung)|derguar nga (iphone|ipad|android|samsung)|` +
	`poslato (sa|sa mog|iz|preko) |poslano (s|sa|sa mog|iz|preko) |послато (са|са мог|из|преко) )`)

// hashtagsOnly reports whether l is a signature's line of hashtags
// ("#MKRS #KulturaKosova").
func hashtagsOnly(l string) bool {
	fields := strings.Fields(l)
	for _, f := range fields {
		if len(f) < 2 || f[0] != '#' {
			return false
		}
	}
	return len(fields) > 0
}

// officerMailAboutTicket keeps an officer's mail that is about a ticket
// (it replies to Sportel's mail about it, or names it in its subject) but
// is not an answer to their notification: a reply to a reminder, to a
// "nothing was sent" mail, to a colleague's notification. It is never a
// new inquiry of theirs, to acknowledge and route; nor can it go to the
// citizen, since what it quotes is unknown. It is kept on the ticket and
// the officer is told how to answer. An officer who is the ticket's own
// requester writes as one.
func (d *Desk) officerMailAboutTicket(tx store.Tx, m *inquiry.Message, officer inquiry.Officer, now time.Time) (intakeResult, bool, error) {
	t, found, err := d.followedTicket(tx, m)
	if err != nil || !found || sentByRequester(t, m) {
		return intakeResult{}, false, err
	}
	e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: m.SourceID, MessageID: m.MessageID,
		Author: officer.ID, Subject: m.Subject, Text: "officer's mail about the ticket, not an answer to its notification: not relayed\n\n" + m.Text,
		Attachments: recordedAttachments(m), Raw: m.Raw, CreatedAt: now}
	text := fmt.Sprintf("Mesazhi juaj për %s nuk iu dërgua qytetarit: ai nuk ishte përgjigje e njoftimit të tiketës që ju është dërguar juve.\n"+
		"Për t'iu përgjigjur qytetarit, përgjigjuni (Reply) njoftimit të tiketës (\"Tiketë e re %s …\" ose njoftimit të fundit për të), "+
		"ose përdorni hapësirën e punës në ueb. Mesazhi juaj ruhet si shënim në tiketë (sportel tickets show %s).\n",
		t.Number, t.Number, t.Number)
	subject := "Sportel: mesazhi nuk u dërgua [" + t.Number + "]"
	// A rule of the officer's mail client that forwards their mail to the
	// mailbox (set while they are away) sends this notice back, and with
	// it a mail about the ticket again: told each time, that went on
	// without end. One notice an hour about a ticket says it all.
	toldAt, told, err := toldWithin(tx, t, officer, subject, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	if told {
		e.Text = "officer's mail about the ticket, not an answer to its notification: not relayed; the officer was told so at " +
			toldAt.In(d.cfg.Location).Format("15:04") + " and is not told again within the hour\n\n" + m.Text
		if err := tx.AddEntry(e); err != nil {
			return intakeResult{}, false, err
		}
		if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
			return intakeResult{}, false, err
		}
		return intakeResult{disposition: inquiry.Attached, ticket: t.Number, reason: "officer's mail about the ticket, told within the hour"}, true, nil
	}
	tell := d.staffMail("undeliverable", officer, subject, text, now)
	return d.keepAndTell(tx, m, officer, &t, e, tell, "officer's mail about the ticket, not an answer to its notification", now)
}

// repliedTo is the Message-ID m replies to: its In-Reply-To, else, from a
// client that threads by References alone, their last.
func repliedTo(m *inquiry.Message) []string {
	if len(m.InReplyTo) == 0 && len(m.References) > 0 {
		return m.References[len(m.References)-1:]
	}
	return m.InReplyTo
}

// toldWithin reports when officer was last told, by a notice with subject
// about t, within aboutTicketQuiet of now: the notice is not sent again
// then (a forwarding rule would send it back without end).
func toldWithin(tx store.Tx, t inquiry.Ticket, officer inquiry.Officer, subject string, now time.Time) (time.Time, bool, error) {
	last, ok, err := tx.LatestJob(t.ID, inquiry.JobQuarantined, officer.ID)
	if err != nil || !ok || last.Mail == nil || last.Mail.Subject != subject || now.Sub(last.CreatedAt) >= aboutTicketQuiet {
		return time.Time{}, false, err
	}
	return last.CreatedAt, true, nil
}

// aboutTicketQuiet is how long after telling an officer that their mail
// about a ticket was not relayed another such mail is kept untold.
const aboutTicketQuiet = time.Hour
