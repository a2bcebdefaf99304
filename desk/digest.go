package desk

import (
	"fmt"
	"strings"
	"time"

	"sportel/classifier"
	"sportel/inquiry"
	"sportel/store"
)

// Digest limits: a digest lists the first digestItems messages it covers,
// each trimmed to digestItemRunes, and counts the rest, so rewriting it for
// one more message costs the same however many it already covers.
const (
	digestItems     = 15
	digestItemRunes = 200
)

// coalesceFollowUp puts a follow-up that comes within NotifyQuiet of the
// officer's last notification on t into a digest instead of a notification
// of its own. It reports whether it did; when it did not, the caller
// notifies at once.
//
// The digest is due when the interval after the last notification ends,
// and the timer does not restart with each message: an officer hears of a
// message at most NotifyQuiet after it (a chat that never pauses still
// reaches them), and of a ticket at most once per NotifyQuiet. Each
// channel's digest is one outbox job, written in the intake transaction
// (so a crash loses nothing) and rewritten by later messages only while no
// worker has claimed it, keeping its Message-ID: what may have been sent
// never changes. It is a notify job for the same officer, so a reply to it
// is relayed exactly as a reply to a notification is.
func (d *Desk) coalesceFollowUp(tx store.Tx, t *inquiry.Ticket, officer inquiry.Officer, m *inquiry.Message, now time.Time) (bool, error) {
	quiet := d.cfg.NotifyQuiet
	if quiet <= 0 {
		return false, nil
	}
	last, ok, err := tx.LatestJob(t.ID, inquiry.JobNotify, officer.ID)
	if err != nil || !ok {
		return false, err
	}
	// A sent job's NextAt is when it was last due: about when it went out.
	if !now.Before(last.NextAt.Add(quiet)) {
		return false, nil
	}
	due := last.NextAt
	if !due.After(now) {
		due = due.Add(quiet)
	}
	if limit := now.Add(quiet); due.After(limit) {
		// The last one waits on a retry: this news need not wait as long.
		due = limit
	}
	pending, err := tx.PendingJobs(t.ID, inquiry.JobNotify, officer.ID)
	if err != nil {
		return false, err
	}
	item := d.digestItem(m, now)
	for _, target := range d.notifyTargets(officer, true) {
		joined := false
		for _, j := range pending {
			if j.Digest == nil || !target.matches(&j) {
				continue
			}
			addToDigest(j.Digest, item)
			d.renderDigest(&j, t, officer, target)
			updated, err := tx.UpdatePendingJob(&j)
			if err != nil {
				return false, err
			}
			joined = updated
			break
		}
		if joined {
			continue
		}
		j := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobNotify, Recipient: officer.ID, State: inquiry.JobPending,
			NextAt: due, CreatedAt: now, Digest: &inquiry.Digest{}}
		addToDigest(j.Digest, item)
		if target.chat == 0 {
			// Message-ID and Date are fixed now, as for every mail.
			j.Mail = &inquiry.Mail{MessageID: d.newMessageID("notify"), Date: now}
		}
		d.renderDigest(j, t, officer, target)
		if err := tx.AddJob(j); err != nil {
			return false, err
		}
	}
	return true, nil
}

// notifyTarget is where an officer's notification goes: their mail (chat
// 0) or a Telegram chat.
type notifyTarget struct{ chat int64 }

func (n notifyTarget) matches(j *inquiry.Job) bool {
	if n.chat == 0 {
		return j.Mail != nil
	}
	return j.Chat != nil && j.Chat.ChatID == n.chat
}

// notifyTargets lists where officer is told about a ticket; the officers'
// group hears of new tickets only.
func (d *Desk) notifyTargets(officer inquiry.Officer, followUp bool) []notifyTarget {
	var out []notifyTarget
	if officer.Email != "" {
		out = append(out, notifyTarget{})
	}
	if !d.cfg.NotifyByTelegram {
		return out
	}
	if officer.TelegramUserID != 0 {
		out = append(out, notifyTarget{chat: officer.TelegramUserID})
	}
	if d.cfg.OfficersChatID != 0 && !followUp {
		out = append(out, notifyTarget{chat: d.cfg.OfficersChatID})
	}
	return out
}

func (d *Desk) digestItem(m *inquiry.Message, now time.Time) inquiry.DigestItem {
	at := m.ReceivedAt
	if at.IsZero() {
		at = now
	}
	text := strings.TrimSpace(m.Text)
	if m.Channel == inquiry.ChannelEmail {
		// A reply written under the mail it quotes (often our own
		// acknowledgement) would show only the quote.
		text = classifier.StripQuotedAndSignature(text)
	}
	if r := []rune(text); len(r) > digestItemRunes {
		text = strings.TrimSpace(string(r[:digestItemRunes])) + "…"
	}
	item := inquiry.DigestItem{At: at, Author: senderName(m), Text: text}
	for _, a := range m.Attachments {
		item.Attachments = append(item.Attachments, fmt.Sprintf("%s (%s, %d bytes)", a.Name, a.ContentType, a.Size))
	}
	return item
}

func addToDigest(dg *inquiry.Digest, item inquiry.DigestItem) {
	dg.Count++
	if len(dg.Items) < digestItems {
		dg.Items = append(dg.Items, item)
	}
}

// renderDigest writes j's text from its digest, for its target.
func (d *Desk) renderDigest(j *inquiry.Job, t *inquiry.Ticket, officer inquiry.Officer, target notifyTarget) {
	dg := j.Digest
	var list strings.Builder
	for _, it := range dg.Items {
		fmt.Fprintf(&list, "\n[%s] %s:\n", it.At.In(d.cfg.Location).Format("02.01.2006 15:04"), it.Author)
		text := it.Text
		if text == "" {
			text = "(pa tekst)"
		}
		list.WriteString(text + "\n")
		for _, a := range it.Attachments {
			list.WriteString("  shtojcë: " + a + "\n")
		}
	}
	if more := dg.Count - len(dg.Items); more > 0 {
		fmt.Fprintf(&list, "\n… dhe %d mesazhe të tjera (sportel tickets show %s).\n", more, t.Number)
	}
	if target.chat != 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: %s nga qytetari\n", t.Number, newMessages(dg.Count))
		writeTicketFacts(&b, t, officer, d.cfg.Location)
		b.WriteString(list.String())
		j.Chat = &inquiry.ChatMessage{ChatID: target.chat, Text: b.String(), Ticket: t.Number, Actions: ticketActions(t)}
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Qytetari ka shkruar %s për tiketën %s.\n\n", newMessages(dg.Count), t.Number)
	writeTicketFacts(&b, t, officer, d.cfg.Location)
	b.WriteString("\nPër t'iu përgjigjur qytetarit, përgjigjuni këtij emaili: përgjigja juaj i dërgohet qytetarit nga adresa publike.\n")
	b.WriteString("Shtojcat ruhen në tiketë.\n")
	fmt.Fprintf(&b, "\n----- Mesazhet e reja (%d) -----\n", dg.Count)
	b.WriteString(list.String())
	mailbox := d.cfg.Mailbox
	mail := j.Mail
	mail.From = d.cfg.Mailbox
	mail.To = []inquiry.Address{{Name: officer.Name, Address: officer.Email}}
	mail.ReplyTo = &mailbox
	mail.Subject = fmt.Sprintf("[%s] %s: %s", t.Number, newMessages(dg.Count), oneLine(t.Subject, 80))
	mail.AutoReplied = true
	mail.AllowOutOfOffice = true // as the notification: the heads learn of an absence
	mail.Headers = map[string]string{"X-Sportel-Ticket": t.Number}
	mail.Text = b.String()
}

// newMessages is "n new messages" in Albanian, singular for one.
func newMessages(n int) string {
	if n == 1 {
		return "1 mesazh i ri"
	}
	return fmt.Sprintf("%d mesazhe të reja", n)
}
