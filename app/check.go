package app

import (
	"context"
	"log/slog"

	"sportel/config"
	"sportel/inbox"
	"sportel/mailer"
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
