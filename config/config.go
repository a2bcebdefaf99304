// Package config turns Sportel's one YAML file into a typed, validated
// Config. Decoding is strict: unknown keys are errors, ${NAME} references are
// expanded from the environment inside scalar values (never by text
// replacement), every key has a default, and every problem is reported at
// once with its key path.
package config

import (
	"log/slog"
	"time"

	// Embedded so tickets.timezone resolves even on hosts or containers
	// without a zoneinfo database.
	_ "time/tzdata"

	"sportel/inquiry"
)

// Security is how a mail connection is protected.
type Security string

const (
	SecurityTLS      Security = "tls"      // implicit TLS (IMAPS 993, SMTPS 465)
	SecurityStartTLS Security = "starttls" // plain connection upgraded with STARTTLS
	SecurityNone     Security = "none"     // clear text; credentials only to loopback
)

// Store drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Classifier kinds.
const (
	ClassifierBuiltin = "builtin"
	ClassifierOpenAI  = "openai"
)

// Config is the whole of sportel.yaml after expansion, defaults and
// validation.
type Config struct {
	Mailbox    MailboxConfig     `yaml:"mailbox"`
	Division   DivisionConfig    `yaml:"division"`
	IMAP       IMAPConfig        `yaml:"imap"`
	SMTP       SMTPConfig        `yaml:"smtp"`
	Store      StoreConfig       `yaml:"store"`
	Classifier ClassifierConfig  `yaml:"classifier"`
	Officers   []inquiry.Officer `yaml:"officers"`
	Routing    []RouteRule       `yaml:"routing"`
	Tickets    TicketsConfig     `yaml:"tickets"`
	Outbox     OutboxConfig      `yaml:"outbox"`
	Mail       MailConfig        `yaml:"mail"`
	// Telegram is nil when the section is absent: Sportel then runs on
	// email only.
	Telegram *TelegramConfig `yaml:"telegram"`
	Log      LogConfig       `yaml:"log"`
	Metrics  MetricsConfig   `yaml:"metrics"`
	Web      WebConfig       `yaml:"web"`
	// UncheckedSecrets names the secrets left unresolved when parsed with
	// ParseOptions.SecretsOptional (their variable unset or file unreadable).
	UncheckedSecrets []string `yaml:"-"`
}

// MailboxConfig is the ministry's public address; acknowledgements come
// from it.
type MailboxConfig struct {
	Address     string `yaml:"address"`
	DisplayName string `yaml:"display_name"`
}

// From is the public address as a sender.
func (m MailboxConfig) From() inquiry.Address {
	return inquiry.Address{Name: m.DisplayName, Address: m.Address}
}

// IMAPConfig is where incoming mail is read.
type IMAPConfig struct {
	Addr     string   `yaml:"addr"`
	Security Security `yaml:"security"`
	Username string   `yaml:"username"`
	Password Secret   `yaml:"password"`
	// PasswordFile is an alternative to Password (systemd credentials,
	// container secrets); Load reads it into Password.
	PasswordFile string `yaml:"password_file"`
	// Auth and the OAuth2 keys: see OAuth2Auth.
	Auth               string        `yaml:"auth"`
	OAuth2TokenFile    string        `yaml:"oauth2_token_file"`
	OAuth2TokenCommand []string      `yaml:"oauth2_token_command"`
	OAuth2TokenTimeout time.Duration `yaml:"oauth2_token_timeout"`
	Mailbox            string        `yaml:"mailbox"`
	ProcessedMailbox   string        `yaml:"processed_mailbox"`
	QuarantineMailbox  string        `yaml:"quarantine_mailbox"`
	PollInterval       time.Duration `yaml:"poll_interval"`
	IdleRestart        time.Duration `yaml:"idle_restart"`
	DialTimeout        time.Duration `yaml:"dial_timeout"`
	CommandTimeout     time.Duration `yaml:"command_timeout"`
	BatchSize          int           `yaml:"batch_size"`
	// CAFile is a PEM bundle for a private CA; empty uses the system roots.
	CAFile        string `yaml:"ca_file"`
	TLSServerName string `yaml:"tls_server_name"`
	// FirstStart is what the first start against the mailbox (no
	// checkpoint in the store) does with the mail already in it:
	// FirstStartAll takes it all in, FirstStartNew leaves it where it is.
	FirstStart string `yaml:"first_start"`
}

// Values of imap.first_start.
const (
	FirstStartAll = "all"
	FirstStartNew = "new"
)

// SMTPConfig is where outgoing mail is submitted. Login is used only when
// Username is set.
type SMTPConfig struct {
	Addr         string   `yaml:"addr"`
	Security     Security `yaml:"security"`
	Username     string   `yaml:"username"`
	Password     Secret   `yaml:"password"`
	PasswordFile string   `yaml:"password_file"`
	// Auth and the OAuth2 keys: see OAuth2Auth.
	Auth               string        `yaml:"auth"`
	OAuth2TokenFile    string        `yaml:"oauth2_token_file"`
	OAuth2TokenCommand []string      `yaml:"oauth2_token_command"`
	OAuth2TokenTimeout time.Duration `yaml:"oauth2_token_timeout"`
	DialTimeout        time.Duration `yaml:"dial_timeout"`
	CommandTimeout     time.Duration `yaml:"command_timeout"`
	SubmissionTimeout  time.Duration `yaml:"submission_timeout"`
	CAFile             string        `yaml:"ca_file"`
	TLSServerName      string        `yaml:"tls_server_name"`
	// HelloName is said in every EHLO, the one before STARTTLS included.
	HelloName string `yaml:"hello_name"`
}

// Login mechanisms for imap.auth and smtp.auth.
const (
	AuthPassword    = "password"
	AuthXOAUTH2     = "xoauth2"
	AuthOAuthBearer = "oauthbearer"
)

// OAuth2Auth is how a mailbox that refuses passwords (Microsoft 365,
// Google) is logged in to, as the imap and smtp sections both say it:
// Auth names the mechanism (password, xoauth2, oauthbearer) and the access
// token is read from TokenFile or printed by TokenCommand (the program,
// then its arguments, run without a shell, within TokenTimeout).
type OAuth2Auth struct {
	Auth         string
	TokenFile    string
	TokenCommand []string
	TokenTimeout time.Duration
}

// UsesToken reports whether the login takes an OAuth 2 token.
func (o OAuth2Auth) UsesToken() bool { return o.Auth == AuthXOAUTH2 || o.Auth == AuthOAuthBearer }

// OAuth2 is the section's login settings.
func (m IMAPConfig) OAuth2() OAuth2Auth {
	return OAuth2Auth{m.Auth, m.OAuth2TokenFile, m.OAuth2TokenCommand, m.OAuth2TokenTimeout}
}

// OAuth2 is the section's login settings.
func (m SMTPConfig) OAuth2() OAuth2Auth {
	return OAuth2Auth{m.Auth, m.OAuth2TokenFile, m.OAuth2TokenCommand, m.OAuth2TokenTimeout}
}

// StoreConfig selects the database.
type StoreConfig struct {
	Driver string `yaml:"driver"`
	DSN    string `yaml:"dsn"`
	// Synchronous is SQLite's sync level: full (the default: a commit
	// survives a power cut) or normal (a commit survives any crash of
	// Sportel, but a power cut may roll back the last commits). PostgreSQL
	// follows the server's synchronous_commit instead.
	Synchronous string `yaml:"synchronous"`
}

// ClassifierConfig selects the classifier. OpenAI is set when the openai
// section is present; it is required when Kind is "openai".
type ClassifierConfig struct {
	Kind   string        `yaml:"kind"`
	OpenAI *OpenAIConfig `yaml:"openai"`
}

// OpenAIConfig is an OpenAI-compatible chat completions endpoint (OpenAI,
// Ollama, vLLM, llama.cpp).
type OpenAIConfig struct {
	// BaseURL includes the /v1 suffix.
	BaseURL    string        `yaml:"base_url"`
	Model      string        `yaml:"model"`
	APIKey     Secret        `yaml:"api_key"`
	APIKeyFile string        `yaml:"api_key_file"`
	Timeout    time.Duration `yaml:"timeout"`
	// Redact masks personal data (llm.Redact: email addresses, phone,
	// personal and account numbers, IBANs, dates, street addresses) before
	// text leaves the ministry.
	Redact bool `yaml:"redact"`
}

// RouteRule sends the tickets it matches to Officer; a rule with an empty
// Match is the catch-all.
type RouteRule struct {
	Match   RouteMatch `yaml:"match"`
	Officer string     `yaml:"officer"`
}

// RouteMatch fields are ANDed; an empty field matches anything.
type RouteMatch struct {
	Category string `yaml:"category"`
	Channel  string `yaml:"channel"`
	Language string `yaml:"language"`
}

// IsCatchAll reports whether the rule matches every ticket.
func (r RouteRule) IsCatchAll() bool { return r.Match == RouteMatch{} }

// TicketsConfig shapes ticket numbers, deadlines and acknowledgements.
type TicketsConfig struct {
	Prefix   string `yaml:"prefix"`
	Timezone string `yaml:"timezone"`
	// Location is Timezone resolved; it dates acknowledgements and picks
	// the year in ticket numbers.
	Location                    *time.Location `yaml:"-"`
	DocumentRequestDeadlineDays int            `yaml:"document_request_deadline_days"`
	// DeadlineCount says whether those days are calendar or working days:
	// the law does not settle it, the ministry's legal office does.
	DeadlineCount string `yaml:"deadline_count"`
	// DeadlineMovesOffDaysOff moves a calendar-day deadline that falls on
	// a day off to the end of the next working day.
	DeadlineMovesOffDaysOff bool `yaml:"deadline_moves_off_days_off"`
	// OfficeHoursEnd ("HH:MM", or "" for none) registers a request received
	// at or after it on the next working day.
	OfficeHoursEnd string         `yaml:"office_hours_end"`
	Calendar       CalendarConfig `yaml:"calendar"`
	// ReopenDays is how long after closing a reply joins the ticket (and
	// reopens it, unless it is a decided document request) instead of
	// filing a new one; 0 never reopens.
	ReopenDays      int     `yaml:"reopen_days"`
	ReviewThreshold float64 `yaml:"review_threshold"`
	// TemplatesDir overrides the built-in acknowledgement templates.
	TemplatesDir string         `yaml:"templates_dir"`
	AckLimit     AckLimitConfig `yaml:"ack_limit"`
	// NotifyQuiet coalesces officers' notifications: a ticket's further
	// messages within this interval of a notification go into one digest,
	// sent when the interval ends; 0 notifies every message.
	NotifyQuiet time.Duration `yaml:"notify_quiet"`
	// Reminders are the working days before a document request's deadline
	// on which its officer is reminded, at ReminderHour ("HH:MM", local);
	// 0 is the morning of the due day itself. An empty list sends none.
	Reminders    []int  `yaml:"reminders"`
	ReminderHour string `yaml:"reminder_hour"`
	// DigestHour ("HH:MM", local) is when the heads get the daily digest
	// on working days.
	DigestHour string `yaml:"digest_hour"`
	// RefusalGrounds are the grounds an officer may give when refusing a
	// document request in whole or in part.
	RefusalGrounds []RefusalGround `yaml:"refusal_grounds"`
}

// CalendarConfig adjusts the working calendar shipped with Sportel. Dates
// are ISO dates (2027-05-04).
type CalendarConfig struct {
	// EidAlFitr and EidAlAdha are first days of Eid as the Islamic
	// Community announces them; each replaces the shipped dates of its year.
	EidAlFitr []string `yaml:"eid_al_fitr"`
	EidAlAdha []string `yaml:"eid_al_adha"`
	// DaysOff are extra days off the government declares.
	DaysOff []DayOffConfig `yaml:"days_off"`
	// NotDaysOff are working days whatever the calendar says.
	NotDaysOff []string `yaml:"not_days_off"`
}

// DayOffConfig is one declared day off.
type DayOffConfig struct {
	Date string `yaml:"date"`
	Name string `yaml:"name"`
}

// AckLimitConfig caps acknowledgements to one sender, so Sportel cannot be
// used to flood an address.
type AckLimitConfig struct {
	Per10Minutes int `yaml:"per_10_minutes"`
	PerDay       int `yaml:"per_day"`
}

// OutboxConfig drives the outbox workers.
type OutboxConfig struct {
	Workers     int           `yaml:"workers"`
	MaxAttempts int           `yaml:"max_attempts"`
	BackoffMin  time.Duration `yaml:"backoff_min"`
	BackoffMax  time.Duration `yaml:"backoff_max"`
	// Lease is how long a claimed job stays with one worker.
	Lease time.Duration `yaml:"lease"`
	// AcknowledgementsPerHour caps acknowledgements sent in any hour, all
	// senders together (0: no cap); the rest wait in the outbox.
	AcknowledgementsPerHour int `yaml:"acknowledgements_per_hour"`
}

// MailConfig caps sizes of what is read and forwarded, in bytes, and says
// which receiving server's word on a mail's sender is believed.
type MailConfig struct {
	MaxAttachmentBytes        int64 `yaml:"max_attachment_bytes" config:"size"`
	MaxRawBytes               int64 `yaml:"max_raw_bytes" config:"size"`
	NotifyAttachmentsMaxBytes int64 `yaml:"notify_attachments_max_bytes" config:"size"`
	// TrustedAuthservID is the authserv-id (RFC 8601) the ministry's own
	// receiving mail server writes first in its Authentication-Results
	// header. An officer's forward of a citizen's mail is filed as the
	// citizen's, and acknowledged to them, only when that server vouched
	// for the officer's From address; empty (the default) believes none.
	TrustedAuthservID string `yaml:"trusted_authserv_id"`
}

// TelegramConfig is the ministry's bot.
type TelegramConfig struct {
	Token     Secret `yaml:"token"`
	TokenFile string `yaml:"token_file"`
	APIURL    string `yaml:"api_url"`
	// DiscussionChatID and OfficersChatID are 0 when unset.
	DiscussionChatID int64         `yaml:"discussion_chat_id"`
	OfficersChatID   int64         `yaml:"officers_chat_id"`
	JoinWindow       time.Duration `yaml:"join_window"`
	PollTimeout      time.Duration `yaml:"poll_timeout"`
	// FileTimeout bounds fetching one file a citizen sends; the update
	// loop waits for it.
	FileTimeout time.Duration `yaml:"file_timeout"`
	// MaxUploadBytes is the largest file the Bot API at APIURL takes from
	// the bot: Telegram's own takes 50 MB, a local Bot API server
	// (telegram-bot-api --local) 2000 MB. An officer's larger file is not
	// sent to a citizen's chat, and the officer is told.
	MaxUploadBytes int64       `yaml:"max_upload_bytes" config:"size"`
	Flood          FloodConfig `yaml:"flood"`
}

// FloodConfig limits how many messages one Telegram user may send per
// period before the bot stops answering them (their messages are still
// filed).
type FloodConfig struct {
	Messages int           `yaml:"messages"`
	Per      time.Duration `yaml:"per"`
}

// LogConfig selects log output.
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// SlogLevel is Level as a slog.Level (Level is validated on load).
func (l LogConfig) SlogLevel() slog.Level {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(l.Level)); err != nil {
		return slog.LevelInfo
	}
	return lv
}

// MetricsConfig is the metrics listener; an empty Listen turns it off.
type MetricsConfig struct {
	Listen string `yaml:"listen"`
}

// Byte size units.
const (
	KiB int64 = 1 << 10
	MiB int64 = 1 << 20
	GiB int64 = 1 << 30
)

// Default returns the configuration every key starts from. Required keys
// (mailbox.address, imap.addr, imap.username, imap.password, smtp.addr,
// officers, routing) have no useful default and are left empty.
func Default() Config {
	return Config{
		IMAP: IMAPConfig{
			Security:           SecurityTLS,
			Mailbox:            "INBOX",
			ProcessedMailbox:   "Sportel/Processed",
			QuarantineMailbox:  "Sportel/Quarantine",
			FirstStart:         FirstStartAll,
			PollInterval:       60 * time.Second,
			IdleRestart:        5 * time.Minute,
			DialTimeout:        15 * time.Second,
			CommandTimeout:     60 * time.Second,
			BatchSize:          200,
			Auth:               AuthPassword,
			OAuth2TokenTimeout: 30 * time.Second,
		},
		SMTP: SMTPConfig{
			Security:           SecurityStartTLS,
			DialTimeout:        10 * time.Second,
			CommandTimeout:     30 * time.Second,
			SubmissionTimeout:  2 * time.Minute,
			Auth:               AuthPassword,
			OAuth2TokenTimeout: 30 * time.Second,
		},
		Division:   DefaultDivision(),
		Store:      StoreConfig{Driver: DriverSQLite, DSN: "./sportel.db", Synchronous: "full"},
		Classifier: ClassifierConfig{Kind: ClassifierBuiltin},
		Tickets: TicketsConfig{
			Prefix:                      "DKP",
			Timezone:                    "Europe/Belgrade",
			DocumentRequestDeadlineDays: 7,
			DeadlineCount:               "calendar",
			DeadlineMovesOffDaysOff:     true,
			ReopenDays:                  14,
			ReviewThreshold:             0.6,
			AckLimit:                    AckLimitConfig{Per10Minutes: 3, PerDay: 10},
			NotifyQuiet:                 2 * time.Minute,
			Reminders:                   []int{2, 1, 0},
			ReminderHour:                "08:00",
			DigestHour:                  "08:30",
			RefusalGrounds:              DefaultRefusalGrounds(),
		},
		Outbox: OutboxConfig{
			Workers:     4,
			MaxAttempts: 8,
			BackoffMin:  10 * time.Second,
			BackoffMax:  30 * time.Minute,
			Lease:       30 * time.Second,
			// Far above a normal day's mail in an hour, far below what
			// makes the ministry's address a spam source.
			AcknowledgementsPerHour: 200,
		},
		Mail: MailConfig{
			MaxAttachmentBytes:        10 * MiB,
			MaxRawBytes:               25 * MiB,
			NotifyAttachmentsMaxBytes: 15 * MiB,
		},
		Log: LogConfig{Level: "info", Format: "text"},
		Web: DefaultWeb(),
	}
}

// DefaultOpenAI is what classifier.openai starts from when present.
func DefaultOpenAI() OpenAIConfig {
	return OpenAIConfig{Timeout: 10 * time.Second, Redact: true}
}

// TelegramUploadLimit is the largest file Telegram's own Bot API takes from
// a bot (50 MB, decimal, as Telegram states it); MaxLocalUploadLimit is a
// local Bot API server's (2000 MB). TelegramUploadLimit is
// desk.TelegramMaxUpload (config imports no runtime package).
const (
	TelegramUploadLimit = 50 * 1000 * 1000
	MaxLocalUploadLimit = 2000 * 1000 * 1000
)

// DefaultTelegram is what the telegram section starts from when present.
func DefaultTelegram() TelegramConfig {
	return TelegramConfig{
		APIURL:         "https://api.telegram.org",
		JoinWindow:     30 * time.Minute,
		PollTimeout:    50 * time.Second,
		FileTimeout:    30 * time.Second,
		MaxUploadBytes: TelegramUploadLimit,
		Flood:          FloodConfig{Messages: 20, Per: time.Minute},
	}
}

// Heads returns the officers with role head, in configuration order.
func (c *Config) Heads() []inquiry.Officer {
	var heads []inquiry.Officer
	for _, o := range c.Officers {
		if o.IsHead() {
			heads = append(heads, o)
		}
	}
	return heads
}

// Officer returns the officer with the given id.
func (c *Config) Officer(id string) (inquiry.Officer, bool) {
	for _, o := range c.Officers {
		if o.ID == id {
			return o, true
		}
	}
	return inquiry.Officer{}, false
}
