// Package app wires Sportel from one configuration and runs it: the store,
// the classifier and the desk (Open), and the runners of the daemon (Run):
// the IMAP watcher, the Telegram bot, the outbox, the scheduler and the
// metrics listener.
// cmd/sportel keeps only flags and commands.
package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"sportel/classifier"
	"sportel/classifier/llm"
	"sportel/config"
	"sportel/desk"
	"sportel/inbox"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/buildinfo"
	"sportel/mailauth"
	"sportel/mailer"
	"sportel/metrics"
	"sportel/outbox"
	"sportel/route"
	"sportel/schedule"
	"sportel/store"
	"sportel/store/drivers"
)

// App is Sportel wired from one configuration: the same wiring serves
// `run`, `demo` and the ticket commands.
type App struct {
	cfg        *config.Config
	log        *slog.Logger
	store      store.Store
	classifier desk.Classifier
	// live holds the desk and what a configuration reload may change
	// (reload.go); Desk() is the desk in use.
	live live
	// outbox is the running outbox, which the desk wakes after a commit.
	outbox atomic.Pointer[outbox.Outbox]
	// metrics is set by Run when metrics.listen is configured.
	metrics *metrics.Metrics
	// build names the running binary in the metrics.
	build buildinfo.Info
	// recent keeps the files of mail just filed for the notifications
	// about it.
	recent *recentAttachments
}

// HandleBatch passes several messages to the desk at once and counts them.
func (a *App) HandleBatch(ctx context.Context, ms []*inquiry.Message) ([]inquiry.Disposition, error) {
	ds, err := a.Desk().HandleBatch(ctx, ms)
	a.recent.filed(ms, len(ds))
	if a.metrics != nil {
		for i, d := range ds {
			a.metrics.Message(string(ms[i].Channel), string(d))
		}
	}
	return ds, err
}

// Prepare lets the desk do ahead, while the chunk before is committed, what
// taking ms in needs no transaction for (the watcher calls it).
func (a *App) Prepare(ctx context.Context, ms []*inquiry.Message) {
	a.Desk().Prepare(ctx, ms)
}

var _ inbox.Preparer = (*App)(nil)

// Quarantine sets aside a message that keeps failing, and counts it.
func (a *App) Quarantine(ctx context.Context, m *inquiry.Message, reason string) (inquiry.Disposition, error) {
	d, err := a.Desk().Quarantine(ctx, m, reason)
	if err == nil && a.metrics != nil {
		a.metrics.Message(string(m.Channel), string(d))
	}
	return d, err
}

// Handle passes a message to the desk and counts what became of it; the IMAP
// watcher and the Telegram bot call this rather than the desk directly.
func (a *App) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	d, err := a.Desk().Handle(ctx, m)
	if err == nil {
		a.recent.filed([]*inquiry.Message{m}, 1)
	}
	if err == nil && a.metrics != nil {
		a.metrics.Message(string(m.Channel), string(d))
	}
	return d, err
}

// Open opens the store and builds the desk; it starts nothing.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	// Libraries that log through the default logger (the store's migration
	// notes) follow the configured level and format.
	slog.SetDefault(log)
	// The built-in model loads (a few ms of a core, its 3 MB touched for
	// the first time) while the store opens.
	type loaded struct {
		cls desk.Classifier
		err error
	}
	classifierLoaded := make(chan loaded, 1)
	go func() {
		cls, err := NewClassifier(cfg, log)
		classifierLoaded <- loaded{cls, err}
	}()
	st, err := drivers.Open(ctx, drivers.Options{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN, Synchronous: cfg.Store.Synchronous})
	l := <-classifierLoaded
	if err != nil {
		return nil, err
	}
	cls, err := l.cls, l.err
	if err != nil {
		st.Close()
		return nil, err
	}
	a := &App{cfg: cfg, log: log, store: st, classifier: cls, build: buildinfo.Read(""),
		recent: newRecentAttachments(recentAttachmentsBytes)}
	d, err := newDesk(cfg, st, cls, a.pokeOutbox, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	a.live.start(cfg, d)
	return a, nil
}

// SetBuild names the running build (sportel_build_info) when the command
// knows better than the module's build info (-ldflags -X main.version).
func (a *App) SetBuild(b buildinfo.Info) { a.build = b }

// Close closes the store.
func (a *App) Close() error { return a.store.Close() }

// Store is the app's store, for the commands that read it.
func (a *App) Store() store.Store { return a.store }

// Desk is the app's desk, for the commands that act on tickets: the one
// built from the configuration in use (a reload replaces it).
func (a *App) Desk() *desk.Desk { return a.live.cur.Load().desk }

// pokeOutbox tells a running outbox that the desk committed jobs; without
// one (the ticket commands) nobody listens and nothing waits.
func (a *App) pokeOutbox() {
	if ob := a.outbox.Load(); ob != nil {
		ob.Poke()
	}
}

// NewClassifier is the configured classifier: the built-in one, or an LLM
// endpoint that falls back to it.
func NewClassifier(cfg *config.Config, log *slog.Logger) (desk.Classifier, error) {
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
		Logger:  log, // it names itself (component=llm_classifier), as the watcher does
	}, builtin)
	if err != nil {
		return nil, fmt.Errorf("set up llm classifier: %w", err)
	}
	return c, nil
}

// classifyWaitMargin is how much longer than the LLM's timeout the desk
// waits for a batch's classifications.
const classifyWaitMargin = time.Second

func newDesk(cfg *config.Config, st store.Store, cls desk.Classifier, jobsQueued func(), log *slog.Logger) (*desk.Desk, error) {
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
	router := route.New(rules)
	tmpl, err := desk.LoadTemplates(cfg.Tickets.TemplatesDir)
	if err != nil {
		return nil, err
	}
	clock := cfg.Tickets.DeadlineRules()
	// Deadlines counted through a year without its Eid dates miss a day
	// off; say so at start, while there is time to configure them.
	this := time.Now().In(cfg.Tickets.Location).Year()
	for y := this; y <= this+1; y++ {
		for _, w := range clock.Calendar.Missing(y) {
			log.Warn("calendar: "+w+" (tickets.calendar)", "year", y)
		}
	}
	dc := desk.Config{
		Mailbox:                   cfg.Mailbox.From(),
		Prefix:                    cfg.Tickets.Prefix,
		Location:                  cfg.Tickets.Location,
		DocumentDeadlineDays:      cfg.Tickets.DocumentRequestDeadlineDays,
		DocumentDeadline:          desk.DeadlineFunc(clock),
		Clock:                     &clock,
		DivisionName:              cfg.Division.Name.ByLanguage(),
		RefusalGrounds:            deskGrounds(cfg.Tickets.RefusalGrounds),
		ReopenDays:                cfg.Tickets.ReopenDays,
		AckPer10Min:               cfg.Tickets.AckLimit.Per10Minutes,
		AckPerDay:                 cfg.Tickets.AckLimit.PerDay,
		NotifyQuiet:               cfg.Tickets.NotifyQuiet,
		NotifyAttachmentsMaxBytes: cfg.Mail.NotifyAttachmentsMaxBytes,
		TrustedAuthservID:         cfg.Mail.TrustedAuthservID,
		Officers:                  cfg.Officers,
		Templates:                 tmpl,
		JobsQueued:                jobsQueued,
	}
	if c, ok := cls.(*llm.Classifier); ok {
		// A batch waits for the model about one timeout. The margin lets the
		// model's own timeout, which the breaker counts, end the first
		// requests of a batch before the desk stops waiting.
		dc.ClassifyWait = c.Timeout() + classifyWaitMargin
	}
	if cfg.Telegram != nil {
		dc.NotifyByTelegram = true
		dc.OfficersChatID = cfg.Telegram.OfficersChatID
		dc.TelegramJoinWindow = cfg.Telegram.JoinWindow
		dc.TelegramMaxUpload = cfg.Telegram.MaxUploadBytes
	}
	return desk.New(dc, st, cls, router, log.With("component", "desk"))
}

// newScheduler builds the legal clock's sends: reminders, escalations and
// the daily digest, written to the outbox that jobsQueued wakes.
func (a *App) newScheduler(jobsQueued func()) (*schedule.Scheduler, error) {
	return schedule.New(schedulerConfig(a.live.config(), a.Desk(), jobsQueued), a.store, a.log.With("component", "scheduler"))
}

// schedulerConfig is the scheduler's part of cfg.
func schedulerConfig(cfg *config.Config, d *desk.Desk, jobsQueued func()) schedule.Config {
	t := cfg.Tickets
	reminder, digest := t.ScheduleTimes()
	return schedule.Config{
		Calendar:        t.DeadlineRules().Calendar,
		Location:        t.Location,
		Reminders:       t.Reminders,
		ReminderHour:    reminder,
		DigestHour:      digest,
		NoDailyDigest:   !t.DailyDigest(),
		Officers:        cfg.Officers,
		Telegram:        cfg.Telegram != nil,
		Mailbox:         cfg.Mailbox.From(),
		MessageIDDomain: d.MessageIDDomain(),
		MessageIDPrefix: desk.MessageIDPrefix,
		JobsQueued:      jobsQueued,
	}
}

// deskGrounds are the configured refusal grounds as the desk takes them.
func deskGrounds(gs []config.RefusalGround) []desk.Ground {
	out := make([]desk.Ground, len(gs))
	for i, g := range gs {
		out[i] = desk.Ground{ID: g.ID, Label: g.Label.ByLanguage()}
	}
	return out
}

// parseOptions are the MIME parser's settings from the configuration.
func (a *App) parseOptions() parse.Options {
	return parse.Options{
		OwnAddresses:       []string{a.cfg.Mailbox.Address},
		OwnMessageIDDomain: a.Desk().MessageIDDomain(),
		OwnMessageIDPrefix: desk.MessageIDPrefix,
		MaxAttachmentBytes: a.cfg.Mail.MaxAttachmentBytes,
		MaxRawBytes:        a.cfg.Mail.MaxRawBytes,
	}
}

// newWatcher builds the IMAP side, handing mail to the desk.
func (a *App) newWatcher() (*inbox.Watcher, error) { return a.newWatcherWith(a) }

// newWatcherWith builds the IMAP side around another handler (tests wrap
// the desk to stop at chosen points).
func (a *App) newWatcherWith(h inbox.Handler) (*inbox.Watcher, error) {
	opts, err := imapOptions(a.cfg, a.log)
	if err != nil {
		return nil, err
	}
	popts := a.parseOptions()
	opts.Parse = func(raw []byte, received time.Time) *inquiry.Message {
		return parse.Parse(raw, received, popts)
	}
	return inbox.NewWatcher(opts, h, a.store)
}

// imapOptions are the watcher's options from the configuration, without
// the parser (which needs the desk).
func imapOptions(cfg *config.Config, log *slog.Logger) (inbox.Options, error) {
	c := cfg.IMAP
	tlsCfg, err := tlsConfig(c.CAFile, c.TLSServerName)
	if err != nil {
		return inbox.Options{}, fmt.Errorf("imap: %w", err)
	}
	oauth, err := oauthLogin(c.OAuth2(), c.Username, log.With("component", "imap"))
	if err != nil {
		return inbox.Options{}, fmt.Errorf("imap: %w", err)
	}
	return inbox.Options{
		Addr:              c.Addr,
		Security:          string(c.Security),
		Username:          c.Username,
		Password:          c.Password.Reveal(),
		OAuth:             oauth,
		Mailbox:           c.Mailbox,
		ProcessedMailbox:  c.ProcessedMailbox,
		QuarantineMailbox: c.QuarantineMailbox,
		FirstStart:        c.FirstStart,
		PollInterval:      c.PollInterval,
		IdleRestart:       c.IdleRestart,
		DialTimeout:       c.DialTimeout,
		CommandTimeout:    c.CommandTimeout,
		BatchSize:         c.BatchSize,
		MaxRawBytes:       cfg.Mail.MaxRawBytes,
		TLSConfig:         tlsCfg,
		// The watcher names itself (component=inbox): a second component
		// key would repeat in every line.
		Logger: log,
	}, nil
}

// newMailer builds the SMTP side.
func (a *App) newMailer() (*mailer.Mailer, error) { return newMailer(a.cfg, a.log) }

func newMailer(cfg *config.Config, log *slog.Logger) (*mailer.Mailer, error) {
	c := cfg.SMTP
	tlsCfg, err := tlsConfig(c.CAFile, c.TLSServerName)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	oauth, err := oauthLogin(c.OAuth2(), c.Username, log.With("component", "smtp"))
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return mailer.New(mailer.Options{
		Addr:              c.Addr,
		Security:          string(c.Security),
		Username:          c.Username,
		Password:          c.Password.Reveal(),
		OAuth:             oauth,
		HelloName:         c.HelloName,
		DialTimeout:       c.DialTimeout,
		CommandTimeout:    c.CommandTimeout,
		SubmissionTimeout: c.SubmissionTimeout,
		TLSConfig:         tlsCfg,
		LoopID:            cfg.Mailbox.Address,
		Logger:            log, // it names itself (component=mailer), as the watcher does
	})
}

// oauthLogin is the token login a section asks for, nil for a password.
// Its token source lives as long as the watcher or mailer it is given to,
// so the token is kept across their connections.
func oauthLogin(o config.OAuth2Auth, username string, log *slog.Logger) (*mailauth.OAuth, error) {
	if !o.UsesToken() {
		return nil, nil
	}
	src, err := mailauth.NewTokens(mailauth.TokenOptions{File: o.TokenFile, Command: o.TokenCommand, Timeout: o.TokenTimeout})
	if err != nil {
		return nil, err
	}
	return &mailauth.OAuth{Mechanism: o.Auth, Username: username, Tokens: src, Logger: log}, nil
}

func (a *App) outboxConfig() outbox.Config {
	o := a.cfg.Outbox
	return outbox.Config{
		Workers:     o.Workers,
		MaxAttempts: o.MaxAttempts,
		BackoffMin:  o.BackoffMin,
		BackoffMax:  o.BackoffMax,
		Lease:       o.Lease,
		Attachments: storedAttachments{store: a.store, parse: a.parseOptions(), recent: a.recent},
		AcksPerHour: o.AcknowledgementsPerHour,
		// The heads hear once per episode when the cap holds acks back
		// (the heads of the configuration in use).
		AckCapNotice: func(ctx context.Context, episode string, held int, until time.Time) error {
			return a.Desk().NoticeAckCap(ctx, episode, held, until)
		},
		// The officer whose answer's file Telegram refused hears it once.
		ChatFileRefused: func(ctx context.Context, j inquiry.Job, file string, notSent []string, reason string) error {
			return a.Desk().ChatFileRefused(ctx, j, file, notSent, reason)
		},
		Undelivered: func(ctx context.Context, j inquiry.Job, reason string, tooLarge bool) error {
			return a.Desk().AnswerUndelivered(ctx, j, reason, tooLarge)
		},
	}
}

// tlsConfig verifies servers against the system roots, or against caFile
// when given, and against serverName when given (the watcher and the mailer
// default it to the host they dial). Verification is never switched off.
func tlsConfig(caFile, serverName string) (*tls.Config, error) {
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

// NewLogger is the daemon's logger as the configuration asks.
func NewLogger(cfg config.LogConfig, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// newOutbox builds the outbox over the app's store, woken by the desk.
func (a *App) newOutbox(m outbox.MailSender, chat outbox.ChatSender) *outbox.Outbox {
	return outbox.New(a.store, m, chat, a.outboxConfig(), a.log.With("component", "outbox"))
}
