package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"sportel/classifier/llm"
	"sportel/config"
	"sportel/inbox"
	"sportel/mailer"
	"sportel/store/drivers"
	"sportel/store/sqlite"
)

// CheckIMAP logs in to the configured IMAP server as `sportel run` would
// and reports what it found: see inbox.Probe. It may create the processed
// and quarantine mailboxes; it reads no mail.
func CheckIMAP(ctx context.Context, cfg *config.Config, log *slog.Logger) (*inbox.ProbeReport, error) {
	opts, err := imapOptions(cfg, log)
	if err != nil {
		return nil, err
	}
	return inbox.Probe(ctx, opts)
}

// CheckSMTP greets and logs in to the configured SMTP server as a send
// would and reports what it found: see mailer.Probe. It sends no mail.
func CheckSMTP(ctx context.Context, cfg *config.Config, log *slog.Logger) (*mailer.ProbeReport, error) {
	m, err := newMailer(cfg, log)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	return m.Probe(ctx)
}

// CheckLLM asks the configured LLM endpoint to classify one fixed sample
// as a ticket's classification would (see llm.Classifier.Check); ok is
// false when the classifier is the built-in one and there is nothing to
// ask.
func CheckLLM(ctx context.Context, cfg *config.Config, log *slog.Logger) (answer string, ok bool, err error) {
	cls, err := NewClassifier(cfg, log)
	if err != nil {
		return "", true, err
	}
	c, isLLM := cls.(*llm.Classifier)
	if !isLLM {
		return "", false, nil
	}
	answer, err = c.Check(ctx)
	return answer, true, err
}

// FirstStartReport is what the next `sportel run` would do with the mail
// in the watched mailbox, as far as the store says whether it has read
// that mailbox before.
type FirstStartReport struct {
	Mailbox  string // as configured
	Messages uint32 // in it now
	Setting  string // imap.first_start
	// StoreErr is why the store could not be read; whether the start is
	// the first is then not known. A store not made yet is no error: the
	// start is the first.
	StoreErr error
	// Checkpoint is set when the store holds a position for the mailbox:
	// CheckpointUIDValidity and LastUID as saved, UIDValidity and UIDNext
	// the mailbox's now (they differ when it was made anew; UIDNext is at
	// or below LastUID when it was restored from a backup).
	Checkpoint            bool
	CheckpointUIDValidity uint32
	LastUID               uint32
	UIDValidity           uint32
	UIDNext               uint32
}

// checkpointReader is the part of a store that holds the watcher's
// position; the read-only stores have it, though store.Reader does not
// name it.
type checkpointReader interface {
	LoadCheckpoint(ctx context.Context, key string) (uidValidity, lastUID uint32, err error)
}

// CheckFirstStart tells, from what CheckIMAP found and the store, what the
// next start does with the mail in the watched mailbox. The store is
// opened read-only: nothing is created, migrated or written. It returns
// nil when the probe did not get as far as the watched mailbox.
func CheckFirstStart(ctx context.Context, cfg *config.Config, rep *inbox.ProbeReport) *FirstStartReport {
	if rep == nil || len(rep.Mailboxes) == 0 || rep.Mailboxes[0].Role != "watched" {
		return nil
	}
	r := &FirstStartReport{
		Mailbox:     cfg.IMAP.Mailbox,
		Messages:    rep.Mailboxes[0].Messages,
		Setting:     cfg.IMAP.FirstStart,
		UIDValidity: rep.UIDValidity,
		UIDNext:     rep.UIDNext,
	}
	st, err := drivers.OpenReadOnly(ctx, drivers.Options{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
	if errors.Is(err, sqlite.ErrNoDatabase) {
		return r // never started: no checkpoint
	}
	if err != nil {
		r.StoreErr = err
		return r
	}
	defer st.Close()
	cp, ok := st.(checkpointReader)
	if !ok {
		r.StoreErr = errors.New("this store does not say where Sportel stopped reading")
		return r
	}
	v, last, err := cp.LoadCheckpoint(ctx, rep.CheckpointKey)
	if err != nil {
		r.StoreErr = fmt.Errorf("load checkpoint %s: %w", rep.CheckpointKey, err)
		return r
	}
	if v != 0 {
		r.Checkpoint, r.CheckpointUIDValidity, r.LastUID = true, v, last
	}
	return r
}

// String says it in one sentence for check-config.
func (r *FirstStartReport) String() string {
	held := fmt.Sprintf("%s are in %s", messages(r.Messages), r.Mailbox)
	if r.Messages == 1 {
		held = fmt.Sprintf("1 message is in %s", r.Mailbox)
	}
	rule := fmt.Sprintf("with imap.first_start: %s %s at the first start", r.Setting, r.firstStartDoes())
	switch {
	case r.StoreErr != nil:
		return fmt.Sprintf("%s; the store could not be read (%v), so whether Sportel has read it before is not known. "+
			"If it has not, %s; if it has, imap.first_start changes nothing", held, r.StoreErr, rule)
	case !r.Checkpoint:
		return fmt.Sprintf("%s, which Sportel has not read yet: %s", held, rule)
	case r.CheckpointUIDValidity != r.UIDValidity:
		return fmt.Sprintf("%s, made anew since Sportel last read it (UIDVALIDITY %d, was %d): the next start reads all of them again; "+
			"mail already taken in is recognised and not filed twice%s",
			held, r.UIDValidity, r.CheckpointUIDValidity, r.leftByFirstStart())
	case r.UIDNext != 0 && r.UIDNext <= r.LastUID:
		return fmt.Sprintf("%s, which gives out UIDs again that Sportel has passed (it read up to UID %d, the next is %d: restored from a backup?): "+
			"the next start reads all of them again; mail already taken in is recognised and not filed twice%s",
			held, r.LastUID, r.UIDNext, r.leftByFirstStart())
	default:
		return fmt.Sprintf("%s; Sportel has read it up to UID %d and goes on from there (imap.first_start changes nothing now)", held, r.LastUID)
	}
}

// leftByFirstStart says, for a mailbox read again whole, what becomes of
// the mail its first start left.
func (r *FirstStartReport) leftByFirstStart() string {
	if r.Setting != config.FirstStartNew {
		return ""
	}
	return ", and with imap.first_start: new the mail that arrived before the first start is left as it is (when the store kept that start's time)"
}

func (r *FirstStartReport) firstStartDoes() string {
	if r.Setting == config.FirstStartNew {
		if r.Messages == 1 {
			return "it is left as it is and only mail arriving afterwards is taken in"
		}
		return "they are left as they are and only mail arriving afterwards is taken in"
	}
	if r.Messages == 1 {
		return "it becomes a ticket and is acknowledged"
	}
	return "each becomes a ticket and is acknowledged"
}

func messages(n uint32) string {
	if n == 1 {
		return "1 message"
	}
	return fmt.Sprintf("%d messages", n)
}
