package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"sportel/classifier"
	"sportel/classifier/llm"
	"sportel/config"
	"sportel/desk"
	"sportel/inbox"
	"sportel/inbox/mailer"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/metrics"
	"sportel/route"
	"sportel/store/sqlite"
)

// app is Sportel wired from one configuration: the same wiring serves
// `run`, `demo` and the ticket commands.
type app struct {
	cfg        *config.Config
	log        *slog.Logger
	store      *sqlite.Store
	classifier desk.Classifier
	desk       *desk.Desk
	// metrics is set by serve when metrics.listen is configured.
	metrics *metrics.Metrics
}

// HandleBatch passes several messages to the desk at once and counts them.
func (a *app) HandleBatch(ctx context.Context, ms []*inquiry.Message) ([]inquiry.Disposition, error) {
	ds, err := a.desk.HandleBatch(ctx, ms)
	if a.metrics != nil {
		for i, d := range ds {
			a.metrics.Message(string(ms[i].Channel), string(d))
		}
	}
	return ds, err
}

// Handle passes a message to the desk and counts what became of it; the IMAP
// watcher and the Telegram bot call this rather than the desk directly.
func (a *app) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	d, err := a.desk.Handle(ctx, m)
	if err == nil && a.metrics != nil {
		a.metrics.Message(string(m.Channel), string(d))
	}
	return d, err
}

// openApp opens the store and builds the desk; it starts nothing.
func openApp(ctx context.Context, cfg *config.Config, log *slog.Logger) (*app, error) {
	// Libraries that log through the default logger (the store's migration
	// notes) follow the configured level and format.
	slog.SetDefault(log)
	if cfg.Store.Driver != config.DriverSQLite {
		return nil, fmt.Errorf("store.driver %q is not available in this build", cfg.Store.Driver)
	}
	st, err := sqlite.OpenWith(ctx, cfg.Store.DSN, sqlite.Options{Synchronous: cfg.Store.Synchronous})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", cfg.Store.DSN, err)
	}
	cls, err := newClassifier(cfg, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	d, err := newDesk(cfg, st, cls, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &app{cfg: cfg, log: log, store: st, classifier: cls, desk: d}, nil
}

func (a *app) Close() error { return a.store.Close() }

func newClassifier(cfg *config.Config, log *slog.Logger) (desk.Classifier, error) {
	builtin, err := classifier.New(classifier.Options{ReviewThreshold: cfg.Tickets.ReviewThreshold})
	if err != nil {
		return nil, fmt.Errorf("load built-in classifier: %w", err)
	}
	if cfg.Classifier.Kind != config.ClassifierOpenAI || cfg.Classifier.OpenAI == nil {
		return builtin, nil
	}
	o := cfg.Classifier.OpenAI
	c, err := llm.New(llm.Options{
		BaseURL: o.BaseURL,
		Model:   o.Model,
		APIKey:  o.APIKey.Reveal(),
		Timeout: o.Timeout,
		Redact:  o.Redact,
		Logger:  log.With("component", "llm"),
	}, builtin)
	if err != nil {
		return nil, fmt.Errorf("set up llm classifier: %w", err)
	}
	return c, nil
}

func newDesk(cfg *config.Config, st *sqlite.Store, cls desk.Classifier, log *slog.Logger) (*desk.Desk, error) {
	rules := make([]route.Rule, len(cfg.Routing))
	for i, r := range cfg.Routing {
		rules[i] = route.Rule{
			Match: route.Match{
				Category: inquiry.Category(r.Match.Category),
				Channel:  inquiry.Channel(r.Match.Channel),
				Language: inquiry.Language(r.Match.Language),
			},
			Officer: r.Officer,
		}
	}
	router, err := route.New(rules)
	if err != nil {
		return nil, err
	}
	tmpl, err := desk.LoadTemplates(cfg.Tickets.TemplatesDir)
	if err != nil {
		return nil, err
	}
	officers := make([]desk.Officer, len(cfg.Officers))
	for i, o := range cfg.Officers {
		officers[i] = desk.Officer{ID: o.ID, Name: o.Name, Title: o.Title, Email: o.Email, TelegramUserID: o.TelegramUserID}
	}
	dc := desk.Config{
		Mailbox:                   cfg.Mailbox.From(),
		Prefix:                    cfg.Tickets.Prefix,
		Location:                  cfg.Tickets.Location,
		DocumentDeadlineDays:      cfg.Tickets.DocumentRequestDeadlineDays,
		ReopenDays:                cfg.Tickets.ReopenDays,
		AckPer10Min:               cfg.Tickets.AckLimit.Per10Minutes,
		AckPerDay:                 cfg.Tickets.AckLimit.PerDay,
		NotifyAttachmentsMaxBytes: cfg.Mail.NotifyAttachmentsMaxBytes,
		Officers:                  officers,
		Templates:                 tmpl,
	}
	if cfg.Telegram != nil {
		dc.NotifyByTelegram = true
		dc.OfficersChatID = cfg.Telegram.OfficersChatID
	}
	return desk.New(dc, desk.AdaptStore[*sqlite.Tx](st), cls, router, log.With("component", "desk"))
}

// parseOptions are the MIME parser's settings from the configuration.
func (a *app) parseOptions() parse.Options {
	return parse.Options{
		OwnAddresses:       []string{a.cfg.Mailbox.Address},
		OwnMessageIDDomain: a.desk.MessageIDDomain(),
		OwnMessageIDPrefix: desk.MessageIDPrefix,
		MaxAttachmentBytes: a.cfg.Mail.MaxAttachmentBytes,
		MaxRawBytes:        a.cfg.Mail.MaxRawBytes,
	}
}

// newWatcher builds the IMAP side, handing mail to the desk.
func (a *app) newWatcher() (*inbox.Watcher, error) { return a.newWatcherWith(a) }

// newWatcherWith builds the IMAP side around another handler (tests wrap
// the desk to stop at chosen points).
func (a *app) newWatcherWith(h inbox.Handler) (*inbox.Watcher, error) {
	c := a.cfg.IMAP
	tlsCfg, err := tlsConfig(c.Addr, c.CAFile, c.TLSServerName)
	if err != nil {
		return nil, fmt.Errorf("imap: %w", err)
	}
	popts := a.parseOptions()
	return inbox.NewWatcher(inbox.Options{
		Addr:              c.Addr,
		Security:          string(c.Security),
		Username:          c.Username,
		Password:          c.Password.Reveal(),
		Mailbox:           c.Mailbox,
		ProcessedMailbox:  c.ProcessedMailbox,
		QuarantineMailbox: c.QuarantineMailbox,
		PollInterval:      c.PollInterval,
		IdleRestart:       c.IdleRestart,
		DialTimeout:       c.DialTimeout,
		CommandTimeout:    c.CommandTimeout,
		BatchSize:         c.BatchSize,
		TLSConfig:         tlsCfg,
		Parse: func(raw []byte, received time.Time) *inquiry.Message {
			return parse.Parse(raw, received, popts)
		},
		Logger: a.log.With("component", "imap"),
	}, h, a.store)
}

// newMailer builds the SMTP side.
func (a *app) newMailer() (*mailer.Mailer, error) {
	c := a.cfg.SMTP
	tlsCfg, err := tlsConfig(c.Addr, c.CAFile, "")
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return mailer.New(mailer.Options{
		Addr:              c.Addr,
		Security:          string(c.Security),
		Username:          c.Username,
		Password:          c.Password.Reveal(),
		HelloName:         c.HelloName,
		DialTimeout:       c.DialTimeout,
		CommandTimeout:    c.CommandTimeout,
		SubmissionTimeout: c.SubmissionTimeout,
		TLSConfig:         tlsCfg,
		LoopID:            a.cfg.Mailbox.Address,
		Logger:            a.log.With("component", "smtp"),
	})
}

func (a *app) outboxConfig() desk.OutboxConfig {
	o := a.cfg.Outbox
	return desk.OutboxConfig{
		Workers:     o.Workers,
		MaxAttempts: o.MaxAttempts,
		BackoffMin:  o.BackoffMin,
		BackoffMax:  o.BackoffMax,
		Lease:       o.Lease,
	}
}

// tlsConfig verifies servers against the system roots, or against caFile
// when given. Verification is never switched off.
func tlsConfig(addr, caFile, serverName string) (*tls.Config, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", addr, err)
	}
	if serverName == "" {
		serverName = host
	}
	cfg := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificates", caFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

func newLogger(cfg config.LogConfig, w *os.File) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func (a *app) newOutbox(m *mailer.Mailer, chat desk.ChatSender) *desk.Outbox {
	return desk.NewOutbox(a.desk, m, chat, a.outboxConfig())
}
