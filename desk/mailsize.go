package desk

import (
	"context"
	"fmt"
	"strings"

	"sportel/inquiry"
	"sportel/store"
)

// AnswerTooLarge tells the officer who wrote the answer of mail job j that
// the relay refused it as too large (reason), so the citizen has nothing,
// and notes it on the ticket. It is outbox.Config.AnswerTooLarge: asked
// again for the same job (a crash before the outbox recorded the failure),
// it queues nothing more.
func (d *Desk) AnswerTooLarge(ctx context.Context, j inquiry.Job, reason string) error {
	if j.Mail == nil {
		return fmt.Errorf("tell of an answer too large: job %d is no mail", j.ID)
	}
	// The answer's entry names who wrote it and its files: that entry
	// alone, read before the transaction (an entry never changes), not
	// the ticket's whole record with every mail's raw.
	var author string
	var files []inquiry.Attachment
	if ref := j.Mail.AttachFrom; ref != nil {
		e, found, err := d.store.Entry(ctx, j.TicketID, ref.EntryID)
		if err != nil {
			return fmt.Errorf("tell of an answer too large (job %d): read its entry: %w", j.ID, err)
		}
		if found {
			author = e.Author
			for _, i := range ref.Indexes {
				if i >= 0 && i < len(e.Attachments) {
					files = append(files, e.Attachments[i])
				}
			}
		}
	}
	now := d.now()
	err := d.store.WithTx(ctx, func(tx store.Tx) error {
		t, ok, err := tx.TicketByID(j.TicketID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("ticket %d not found", j.TicketID)
		}
		who := t.OfficerID
		if _, ok := d.officers[author]; ok {
			who = author
		}
		officer, ok := d.officers[who]
		if !ok {
			return fmt.Errorf("no officer to tell: ticket %s is %q's", t.Number, t.OfficerID)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Përgjigjja juaj për %s NUK iu dërgua qytetarit: serveri i postës nuk pranon një mesazh kaq të madh.\n", t.Number)
		if len(files) > 0 {
			b.WriteString("\nSkedarët e saj:\n")
			writeFileList(&b, files)
		}
		fmt.Fprintf(&b, "\nDërgojeni sërish përgjigjen me skedarë më të vegjël, ose pa to me një lidhje për t'i shkarkuar. "+
			"Përgjigjja ruhet në tiketë (sportel tickets show %s).\nArsyeja: %s\n", t.Number, oneLine(reason, 300))
		job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobCommandReport, Recipient: officer.ID, State: inquiry.JobPending,
			NextAt: now, CreatedAt: now,
			Mail: d.staffMail("undeliverable", officer, "Sportel: përgjigjja nuk u dërgua ["+t.Number+"]", b.String(), now)}
		added, err := tx.AddJobOnce(fmt.Sprintf("answer-too-large:%d", j.ID), job)
		if err != nil || !added {
			return err
		}
		return d.note(tx, t.ID, officer.ID, "answer not sent: too large for the mail relay: "+oneLine(reason, 300), now)
	})
	if err != nil {
		return fmt.Errorf("tell of an answer too large for the relay (job %d): %w", j.ID, err)
	}
	d.poke()
	return nil
}
