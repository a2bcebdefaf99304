package desk

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// AnswerUndelivered tells the officer behind job j, an answer or a legal
// notice to a citizen that failed for good (reason; tooLarge when the mail
// relay refused it for its size), that the citizen has nothing, and notes
// it on the ticket: the officer believes it delivered, and the failure
// would otherwise surface only in the next day's digest to the heads. The
// officer hears it by mail and, when officers are notified there, in their
// Telegram chat. It is outbox.Config.Undelivered: asked again for the same
// job (a crash before the outbox recorded the failure), it queues nothing
// more.
func (d *Desk) AnswerUndelivered(ctx context.Context, j inquiry.Job, reason string, tooLarge bool) error {
	if j.Kind != inquiry.JobAnswer && j.Kind != inquiry.JobNotice {
		return fmt.Errorf("tell of a send not delivered: job %d is a %s, not an officer's answer or notice", j.ID, j.Kind)
	}
	author, files, err := d.undeliveredAuthor(ctx, j)
	if err != nil {
		return fmt.Errorf("tell of a send not delivered (job %d): %w", j.ID, err)
	}
	if !tooLarge || j.Mail == nil {
		files = nil // named only to say which to send smaller
	}
	how := refusedByRelay
	switch {
	case tooLarge:
		how = tooLargeForRelay
	case j.Chat != nil:
		how = refusedByTelegram
	}
	now := d.now()
	err = d.store.WithTx(ctx, func(tx store.Tx) error {
		t, ok, err := tx.TicketByID(j.TicketID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("ticket %d not found", j.TicketID)
		}
		return d.queueUndelivered(tx, t, author, j.Kind, how, reason, files, fmt.Sprintf("undelivered:%d", j.ID), now)
	})
	if err != nil {
		return fmt.Errorf("tell of a send not delivered (job %d): %w", j.ID, err)
	}
	d.poke()
	return nil
}

// undeliveredHow is how a send to a citizen came to nothing.
type undeliveredHow int

const (
	refusedByRelay    undeliveredHow = iota // the relay refused it for good
	tooLargeForRelay                        // the relay refused it for its size
	refusedByTelegram                       // Telegram refused it for good
	bouncedLater                            // the relay took it; a delivery report came back
)

// queueUndelivered queues, once per key, the word to the officer (author
// when an officer, else the ticket's, else the catch-all officer) that
// their kind of send to t's citizen came to nothing (how, reason): by mail
// when they have an address and, when officers are notified there, in
// Telegram. The ticket gets a note.
func (d *Desk) queueUndelivered(tx store.Tx, t inquiry.Ticket, author string, kind inquiry.JobKind, how undeliveredHow, reason string,
	files []inquiry.Attachment, key string, now time.Time) error {
	officer := d.officerToTell(author, t)
	subject, text, note := undeliveredNotice(kind, how, t.Number, reason, files)
	byMail, byChat := officer.Email != "", d.cfg.NotifyByTelegram && officer.TelegramUserID != 0
	added := false
	if byMail {
		mail := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobCommandReport, Recipient: officer.ID, State: inquiry.JobPending,
			NextAt: now, CreatedAt: now, Mail: d.staffMail("undeliverable", officer, subject, text, now)}
		a, err := tx.AddJobOnce(key, mail)
		if err != nil {
			return err
		}
		added = a
	}
	if byChat {
		chat := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobCommandReport, Recipient: officer.ID, State: inquiry.JobPending,
			NextAt: now, CreatedAt: now, Chat: &inquiry.ChatMessage{ChatID: officer.TelegramUserID, Text: text}}
		a, err := tx.AddJobOnce(key+":tg", chat)
		if err != nil {
			return err
		}
		added = added || a
	}
	if !added && (byMail || byChat) {
		return nil // told already: asked again after a crash
	}
	return d.note(tx, t.ID, cmp.Or(officer.ID, "sportel"), note, now)
}

// officerToTell is whom to tell that a send of author's on ticket t did
// not go: author when an officer, else the ticket's officer, else (an
// officer no longer in the configuration) the catch-all officer. It never
// fails: an error there would keep the send failing and asking again.
func (d *Desk) officerToTell(author string, t inquiry.Ticket) inquiry.Officer {
	for _, id := range []string{author, t.OfficerID, d.router.CatchAll()} {
		if o, ok := d.officers[id]; ok {
			return o
		}
	}
	return inquiry.Officer{}
}

// undeliveredAuthor is who wrote job j, when the job says so (a Telegram
// answer names its officer; a mail's stored files name the entry that
// holds them, and so its author), and the files of that entry it carried.
func (d *Desk) undeliveredAuthor(ctx context.Context, j inquiry.Job) (string, []inquiry.Attachment, error) {
	if j.Chat != nil {
		return j.Chat.Officer, nil, nil
	}
	if j.Mail == nil || j.Mail.AttachFrom == nil {
		return "", nil, nil
	}
	// That entry alone, read before the transaction (an entry never
	// changes), not the ticket's whole record with every mail's raw.
	ref := j.Mail.AttachFrom
	e, found, err := d.store.Entry(ctx, j.TicketID, ref.EntryID)
	if err != nil || !found {
		return "", nil, err
	}
	var files []inquiry.Attachment
	for _, i := range ref.Indexes {
		if i >= 0 && i < len(e.Attachments) {
			files = append(files, e.Attachments[i])
		}
	}
	return e.Author, files, nil
}

// undeliveredNotice is what the officer is told of their kind of send to
// the citizen of ticket number that came to nothing (how, reason), and
// the ticket's note of it.
func undeliveredNotice(kind inquiry.JobKind, how undeliveredHow, number, reason string, files []inquiry.Attachment) (subject, text, note string) {
	var b strings.Builder
	what, whatNote := "Përgjigjja juaj për "+number, "answer"
	subject = "Sportel: përgjigjja nuk u dërgua [" + number + "]"
	if kind == inquiry.JobNotice {
		what, whatNote = "Njoftimi për "+number+" që ligji e kërkon për kërkuesin (vendimi, zgjatja e afatit ose mosposedimi i dokumentit)", "notice"
		subject = "Sportel: njoftimi nuk u dërgua [" + number + "]"
	}
	why := oneLine(reason, 300)
	switch how {
	case tooLargeForRelay:
		fmt.Fprintf(&b, "%s NUK iu dërgua qytetarit: serveri i postës nuk pranon një mesazh kaq të madh.\n", what)
		if len(files) > 0 {
			b.WriteString("\nSkedarët e saj:\n")
			writeFileList(&b, files)
		}
		fmt.Fprintf(&b, "\nDërgojeni sërish me skedarë më të vegjël, ose pa to me një lidhje për t'i shkarkuar. "+
			"Teksti ruhet në tiketë (sportel tickets show %s).\nArsyeja: %s\n", number, why)
		return subject, b.String(), whatNote + " not sent: too large for the mail relay: " + why
	case refusedByTelegram:
		fmt.Fprintf(&b, "%s NUK iu dërgua qytetarit në Telegram: Telegram e refuzoi përfundimisht (p.sh. qytetari e ka bllokuar botin).\n", what)
	case bouncedLater:
		fmt.Fprintf(&b, "%s NUK arriti te qytetari: serveri i postës së tij e ktheu (njoftim për mosdorëzim).\n", what)
		whatNote += " bounced"
	default:
		fmt.Fprintf(&b, "%s NUK iu dërgua qytetarit: serveri i postës e refuzoi përfundimisht.\n", what)
	}
	fmt.Fprintf(&b, "\nQytetari nuk e ka marrë. Gjeni një rrugë tjetër për t'ia dhënë (një adresë tjetër, telefoni) dhe shënojeni në tiketë. "+
		"Teksti ruhet në tiketë (sportel tickets show %s).\nArsyeja: %s\n", number, why)
	if how == bouncedLater {
		return subject, b.String(), whatNote + ", a delivery report came back: " + why
	}
	return subject, b.String(), whatNote + " not delivered, refused for good: " + why
}
