package desk

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// Handle takes one incoming message in. It is idempotent: the same source
// message handled twice files one ticket and answers once.
func (d *Desk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	if m.SourceID == "" {
		return "", errors.New("handle message: no source id")
	}
	pre, err := d.preclassify(ctx, []*inquiry.Message{m})
	if err != nil {
		return "", err
	}
	cls := pre[0]
	for {
		var res intakeResult
		err := d.store.WithTx(ctx, func(tx store.Tx) error {
			var err error
			res, err = d.intakeSafely(tx, m, cls)
			return err
		})
		if err != nil {
			return "", fmt.Errorf("handle %s: %w", m.SourceID, err)
		}
		if res.needClassification {
			// Classify outside the transaction: an LLM may take seconds.
			subject := m
			if res.classify != nil {
				subject = res.classify
			}
			c, err := d.classifyOne(ctx, subject)
			if err != nil {
				return "", fmt.Errorf("handle %s: %w", m.SourceID, err)
			}
			cls = &c
			continue
		}
		d.poke()
		d.log.Info("message handled", "source", m.SourceID, "channel", m.Channel,
			"disposition", res.disposition, "ticket", res.ticket, "reason", res.reason)
		return res.disposition, nil
	}
}

// HandleBatch takes in several messages, committing them together where it
// can: a backlog then pays for one commit per batch, not per message. The
// outcome is the same as handling them one by one, in order. It returns
// the dispositions of the messages it took in, a prefix of msgs; when that
// is shorter than msgs, the error says why the next one could not be.
func (d *Desk) HandleBatch(ctx context.Context, msgs []*inquiry.Message) ([]inquiry.Disposition, error) {
	out := make([]inquiry.Disposition, 0, len(msgs))
	// Once for the whole batch: a message handled on its own in between
	// does not change what the later ones are, and with an LLM each
	// classification is a paid call. What Prepare did ahead is used.
	all, err := d.classifyAhead(ctx, msgs)
	if err != nil {
		// Which message failed? One by one, each classified alone, so the
		// error names it and those before it are taken in: the watcher
		// sets aside the message an error is blamed on, never an innocent
		// one ahead of it in the batch.
		for _, m := range msgs {
			disp, err := d.Handle(ctx, m)
			if err != nil {
				return out, err
			}
			out = append(out, disp)
		}
		return out, nil
	}
	for len(out) < len(msgs) {
		rest, cls := msgs[len(out):], all[len(out):]
		var results []intakeResult
		err := d.store.WithTx(ctx, func(tx store.Tx) error {
			results = results[:0]
			if p, ok := tx.(absencePrimer); ok {
				if err := p.PrimeAbsent(d.lookahead(rest, d.now())); err != nil {
					return err
				}
			}
			for i, m := range rest {
				if m.SourceID == "" {
					return nil
				}
				res, err := d.intakeSafely(tx, m, cls[i])
				if err != nil {
					return err
				}
				if res.needClassification {
					// Nothing was written for it: commit those before it and
					// let Handle classify it on its own.
					return nil
				}
				results = append(results, res)
			}
			return nil
		})
		if err != nil {
			// Find which message fails, committing the ones before it.
			for _, m := range rest {
				disp, err := d.Handle(ctx, m)
				if err != nil {
					return out, err
				}
				out = append(out, disp)
			}
			return out, nil
		}
		for i, res := range results {
			d.log.Info("message handled", "source", rest[i].SourceID, "channel", rest[i].Channel,
				"disposition", res.disposition, "ticket", res.ticket, "reason", res.reason)
			out = append(out, res.disposition)
		}
		d.poke()
		if len(results) < len(rest) {
			disp, err := d.Handle(ctx, rest[len(results)])
			if err != nil {
				return out, err
			}
			out = append(out, disp)
		}
	}
	return out, nil
}

// absencePrimer is a transaction that looks up at once which of what
// intake is about to look up is unknown (the SQLite store's), so that the
// look-ups of each message that follow cost no statement for those: on a
// backlog most are unknown, and every other writer waits for this
// transaction.
type absencePrimer interface {
	PrimeAbsent(store.Lookahead) error
}

// primedRefs bounds the references primed for one message; a longer
// thread's older ones are looked up as they are asked for.
const primedRefs = 20

// lookahead is what intake looks up for msgs at now: their source keys
// (takenBefore), the references they carry (referencedTicket and the
// like), their senders' tickets of the resend window (sentAgain) and the
// acknowledgements of the day to their reply addresses (ackLimited).
func (d *Desk) lookahead(msgs []*inquiry.Message, now time.Time) store.Lookahead {
	la := store.Lookahead{JobKind: inquiry.JobAck, JobsSince: now.Add(-24 * time.Hour)}
	for _, m := range msgs {
		la.Sources = append(la.Sources, m.SourceID)
		if m.LegacySourceID != "" && m.LegacySourceID != m.SourceID {
			la.Sources = append(la.Sources, m.LegacySourceID)
		}
		if m.MessageID != "" {
			la.Refs = append(la.Refs, m.MessageID)
		}
		la.Refs = append(la.Refs, m.InReplyTo[:min(len(m.InReplyTo), primedRefs)]...)
		la.Refs = append(la.Refs, m.References[max(0, len(m.References)-primedRefs):]...)
		if m.Channel != inquiry.ChannelEmail {
			continue
		}
		sender := m.ReplyAddress().Address
		if sender == "" {
			sender = m.From.Address
		}
		if sender != "" {
			received := m.ReceivedAt
			if received.IsZero() {
				received = now
			}
			if since := received.Add(-resendWindow); la.SendersSince.IsZero() || since.Before(la.SendersSince) {
				la.SendersSince = since
			}
			la.Senders = append(la.Senders, sender)
		}
		if to := m.ReplyAddress().Address; to != "" {
			la.Recipients = append(la.Recipients, ackCapKey(to))
		}
	}
	return la
}

// preclassify classifies, before the transaction, the messages that look
// like new inquiries (most mail), so filing one takes one transaction rather
// than a look and then a write. A message already taken in (a redelivery)
// is not classified: with an LLM that would be a paid call for nothing.
func (d *Desk) preclassify(ctx context.Context, msgs []*inquiry.Message) ([]*inquiry.Classification, error) {
	cls := make([]*inquiry.Classification, len(msgs))
	candidate := make([]bool, len(msgs))
	// A reply to nothing we know is a new inquiry too (a quarter of real
	// mail quotes a message Sportel never saw); its references are looked
	// up now, the chunk's in one statement, rather than in the
	// transaction, which would then have to stop the batch to classify it.
	var refs []string
	for i, m := range msgs {
		if m.SourceID == "" || !d.likelyNew(m) {
			continue
		}
		n := len(m.InReplyTo) + len(m.References)
		if n > maxRefLookups {
			continue // left to the transaction
		}
		candidate[i] = true
		if n > 0 {
			refs = append(append(refs, m.InReplyTo...), m.References...)
		}
	}
	var known map[string]inquiry.ThreadRef
	if len(refs) > 0 {
		var err error
		if known, err = d.store.ThreadRefs(ctx, refs); err != nil {
			return nil, fmt.Errorf("look up the references of %d messages: %w", len(msgs), err)
		}
	}
	var ids []string
	for i, m := range msgs {
		if !candidate[i] {
			continue
		}
		if anyKnown(known, m.InReplyTo) || anyKnown(known, m.References) {
			candidate[i] = false
			continue
		}
		ids = append(ids, m.SourceID)
		if legacy := m.LegacySourceID; legacy != "" && legacy != m.SourceID {
			ids = append(ids, legacy)
		}
	}
	if len(ids) == 0 {
		return cls, nil
	}
	taken, err := d.store.SourcesTaken(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("handle %s: %w", ids[0], err)
	}
	var todo []int
	for i, m := range msgs {
		// A match on the old-style key may be another sender's mail; the
		// transaction decides (takenBefore) and asks for a classification
		// when it is.
		if candidate[i] && !taken[m.SourceID] && !taken[m.LegacySourceID] {
			todo = append(todo, i)
		}
	}
	if err := d.classifyEach(ctx, msgs, todo, cls); err != nil {
		return nil, err
	}
	return cls, nil
}

// maxRefLookups bounds the references looked up ahead for one message; a
// longer chain is left to the transaction.
const maxRefLookups = 8

// anyKnown reports whether any of refs is in known.
func anyKnown(known map[string]inquiry.ThreadRef, refs []string) bool {
	for _, ref := range refs {
		if _, ok := known[ref]; ok {
			return true
		}
	}
	return false
}

// classifyEach sets cls[i] for every i in todo, several at a time and all
// within one ClassifyWait: one by one, a batch would wait for an LLM once
// per message. The first error in batch order is returned.
func (d *Desk) classifyEach(ctx context.Context, msgs []*inquiry.Message, todo []int, cls []*inquiry.Classification) error {
	ctx, cancel := d.classifyContext(ctx)
	defer cancel()
	errs := make([]error, len(todo))
	// ClassifyConcurrency workers take the messages in turn: a goroutine
	// a worker, not one a message, which for the built-in model cost
	// about as much as classifying.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(d.cfg.ClassifyConcurrency, len(todo)) {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < len(todo); k = int(next.Add(1) - 1) {
				i := todo[k]
				c, err := d.classify(ctx, msgs[i])
				if err != nil {
					errs[k] = fmt.Errorf("handle %s: %w", msgs[i].SourceID, err)
					continue
				}
				cls[i] = &c
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// classifyOne classifies one message within ClassifyWait.
func (d *Desk) classifyOne(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error) {
	ctx, cancel := d.classifyContext(ctx)
	defer cancel()
	return d.classify(ctx, m)
}

func (d *Desk) classifyContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d.cfg.ClassifyWait <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d.cfg.ClassifyWait)
}

// likelyNew reports whether m may be a new inquiry: a person's email that
// names no ticket number (preclassify looks its references up).
func (d *Desk) likelyNew(m *inquiry.Message) bool {
	if m.Channel != inquiry.ChannelEmail || m.Automation == inquiry.Machine {
		return false
	}
	if inquiry.FindNumber(d.cfg.Prefix, m.Subject) != "" {
		return false
	}
	_, officer := d.officerByEmail(m.From.Address)
	return !officer && (usableSender(m) || m.HasContent())
}

// errInternal is a bug met on one message: it fails that message alone,
// which the watcher sets aside after a few tries, instead of stopping the
// daemon (which would restart into the same message for ever).
var errInternal = errors.New("internal error")

// recovered turns a panic into errInternal for what, logged with its stack.
func (d *Desk) recovered(what string, err *error) {
	if r := recover(); r != nil {
		d.log.Error("internal error on one message; it fails alone", "message", what, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		*err = fmt.Errorf("%s: %w: %v", what, errInternal, r)
	}
}

// intakeSafely is intake with a panic made an error, so the transaction
// rolls back and the message is failed alone.
func (d *Desk) intakeSafely(tx store.Tx, m *inquiry.Message, cls *inquiry.Classification) (res intakeResult, err error) {
	defer d.recovered("take in "+m.SourceID, &err)
	return d.intake(tx, m, cls)
}

func (d *Desk) classify(ctx context.Context, m *inquiry.Message) (c inquiry.Classification, err error) {
	// Classification runs on its own goroutines: a panic there would end
	// the process, not this message.
	defer d.recovered("classify "+m.SourceID, &err)
	c, err = d.classifier.Classify(ctx, m)
	if err != nil {
		return c, fmt.Errorf("classify: %w", err)
	}
	if !c.Category.Valid() {
		// Routing keys on the fixed set only; anything else is a bug upstream.
		return c, fmt.Errorf("classify: invalid category %q", c.Category)
	}
	return c, nil
}

type intakeResult struct {
	disposition        inquiry.Disposition
	ticket             string
	reason             string
	needClassification bool
	// classify is the message to classify when it is not the incoming one
	// (a Telegram conversation's whole text).
	classify *inquiry.Message
}

// intake decides what becomes of m and writes it, inside tx. When a new
// ticket must be filed and cls is nil it writes nothing and asks for a
// classification.
func (d *Desk) intake(tx store.Tx, m *inquiry.Message, cls *inquiry.Classification) (intakeResult, error) {
	// Set again when this try records m's files; a try that was rolled
	// back must not leave its entry named.
	m.AttachmentsAt = nil
	ticketID, seen, err := d.takenBefore(tx, m)
	if err != nil {
		return intakeResult{}, err
	}
	if seen {
		res := intakeResult{disposition: inquiry.Duplicate}
		if t, ok, err := tx.TicketByID(ticketID); err == nil && ok {
			res.ticket = t.Number
		}
		return res, nil
	}
	now := d.now()

	if !usableSender(m) && !m.HasContent() {
		return d.quarantine(tx, m, "no usable sender and no content", now)
	}

	if m.Automation == inquiry.Machine {
		if res, handled, err := d.officerAutoReply(tx, m, now); err != nil || handled {
			return res, err
		}
		return d.machineMail(tx, m, now)
	}

	if m.Channel == inquiry.ChannelTelegram {
		return d.telegramIntake(tx, m, cls, now)
	}

	if officer, ok := d.officerByEmail(m.From.Address); ok && m.Channel == inquiry.ChannelEmail {
		if res, handled, err := d.officerAutoReply(tx, m, now); err != nil || handled {
			return res, err
		}
		forged, why := d.fromForged(m)
		if !forged {
			res, handled, err := d.officerReply(tx, m, officer, now)
			if err != nil || handled {
				return res, err
			}
		}
		// A citizen's mail the officer forwards comes before the officer's
		// own mail about a ticket: it may name her ticket. A forward is
		// believed only when vouched for, so a forged one is filed as
		// forwardVouched says.
		if res, handled, err := d.officerForward(tx, m, officer, cls, now); err != nil || handled {
			return res, err
		}
		if forged {
			// Neither an answer to relay, commands to run, nor a note on a
			// ticket: set aside, and the officer it names is told.
			return d.quarantine(tx, m, fmt.Sprintf("From names officer %s, but %s", officer.ID, why), now)
		}
		if res, handled, err := d.officerMailAboutTicket(tx, m, officer, now); err != nil || handled {
			return res, err
		}
	}

	if m.Automation == inquiry.Human {
		res, handled, err := d.citizenFollowUp(tx, m, cls, now)
		if err != nil || handled {
			return res, err
		}
		// Before filing, as it would, and before a classification is
		// asked for: a resend needs none.
		if res, handled, err := d.sentAgain(tx, m, now); err != nil || handled {
			return res, err
		}
	}

	return d.file(tx, m, cls, filing{}, now)
}

// usableSender reports whether there is someone to answer or at least to name.
func usableSender(m *inquiry.Message) bool {
	if m.Channel == inquiry.ChannelTelegram {
		return m.ChatID != 0
	}
	return validAddress(m.From.Address) || (m.ReplyTo != nil && validAddress(m.ReplyTo.Address))
}

// validAddress reports whether a is one mail address in the form the
// parser gives (net/mail's: a quoted local part unquoted, "john
// doe"@example.org as john doe@example.org): written out by net/mail,
// quotes and all, it reads back the same.
func validAddress(a string) bool {
	if a == "" {
		return false
	}
	p, err := mail.ParseAddress((&mail.Address{Address: a}).String())
	return err == nil && p.Address == a
}

// senderName is who wrote m, as its record shows it. For mail that is the
// From address the mail was sent from, with a Reply-To that differs
// beside it, as they came: a mail is never put down to the address it
// asks answers to go to.
func senderName(m *inquiry.Message) string {
	if m.Channel == inquiry.ChannelTelegram {
		if m.From.Name != "" {
			return m.From.Name
		}
		return fmt.Sprintf("tg:%d", m.ChatID)
	}
	from := m.From.Address
	if from == "" {
		from = "(no From address)"
	}
	if m.ReplyTo != nil && m.ReplyTo.Address != "" && !strings.EqualFold(m.ReplyTo.Address, m.From.Address) {
		return from + " (Reply-To: " + m.ReplyTo.Address + ")"
	}
	return from
}
