package config

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sportel/calendar"
	"sportel/internal/testutil"
)

// sectionOrder fixes where sections go in a test document.
var sectionOrder = []string{"mailbox", "imap", "smtp", "store", "classifier", "officers", "routing", "tickets", "outbox", "mail", "telegram", "log", "metrics", "extra"}

// minimalSections is the smallest valid configuration.
func minimalSections() map[string]string {
	return map[string]string{
		"mailbox": "mailbox:\n  address: komunikimi@mkrs.example\n",
		"imap":    "imap:\n  addr: imap.mkrs.example:993\n  username: komunikimi@mkrs.example\n  password: ${IMAP_PW}\n",
		"smtp":    "smtp:\n  addr: smtp.mkrs.example:587\n",
		"officers": "officers:\n" +
			"  - {id: osman, name: Osman, email: osman@mkrs.example}\n" +
			"  - {id: jusuf, name: Jusuf, email: jusuf@mkrs.example}\n" +
			"  - {id: zamira, name: Zamira, email: zamira@mkrs.example}\n",
		"routing": "routing:\n  - match: {category: document_request}\n    officer: jusuf\n  - officer: zamira\n",
	}
}

// doc builds a YAML document from the minimal sections with overrides; an
// empty override removes the section.
func doc(overrides map[string]string) []byte {
	s := minimalSections()
	for k, v := range overrides {
		s[k] = v
	}
	var b strings.Builder
	for _, k := range sectionOrder {
		b.WriteString(s[k])
	}
	return []byte(b.String())
}

const (
	imapSecret  = "imap-S3cret-value-1"
	smtpSecret  = "smtp-S3cret-value-2"
	tgSecret    = "123456:tg-S3cret-value-3"
	aiSecret    = "sk-ai-S3cret-value-4"
	fileSecret  = "file-S3cret-value-5"
	literalPass = "hunter2-literal-6"
)

var allSecrets = []string{imapSecret, smtpSecret, tgSecret, aiSecret, fileSecret, literalPass}

func testEnv() func(string) (string, bool) {
	return envMap(map[string]string{
		"IMAP_PW": imapSecret, "SMTP_PW": smtpSecret, "TG_TOKEN": tgSecret, "AI_KEY": aiSecret,
		"EMPTY": "", "OFFICERS_CHAT": "-100123", "WORD": "sportel",
	})
}

func TestDefaultsApplied(t *testing.T) {
	cfg, err := Parse(doc(nil), testEnv())
	if err != nil {
		t.Fatalf("parse minimal:\n%v", err)
	}
	cases := []struct {
		key       string
		got, want any
	}{
		{"mailbox.display_name", cfg.Mailbox.DisplayName, ""},
		{"imap.security", cfg.IMAP.Security, SecurityTLS},
		{"imap.password", cfg.IMAP.Password.Reveal(), imapSecret},
		{"imap.mailbox", cfg.IMAP.Mailbox, "INBOX"},
		{"imap.processed_mailbox", cfg.IMAP.ProcessedMailbox, "Sportel/Processed"},
		{"imap.quarantine_mailbox", cfg.IMAP.QuarantineMailbox, "Sportel/Quarantine"},
		{"imap.poll_interval", cfg.IMAP.PollInterval, 60 * time.Second},
		{"imap.idle_restart", cfg.IMAP.IdleRestart, 5 * time.Minute},
		{"imap.dial_timeout", cfg.IMAP.DialTimeout, 15 * time.Second},
		{"imap.command_timeout", cfg.IMAP.CommandTimeout, 60 * time.Second},
		{"imap.batch_size", cfg.IMAP.BatchSize, 200},
		{"imap.ca_file", cfg.IMAP.CAFile, ""},
		{"imap.tls_server_name", cfg.IMAP.TLSServerName, ""},
		{"imap.first_start", cfg.IMAP.FirstStart, FirstStartAll},
		{"smtp.security", cfg.SMTP.Security, SecurityStartTLS},
		{"smtp.username", cfg.SMTP.Username, ""},
		{"smtp.password", cfg.SMTP.Password.IsSet(), false},
		{"smtp.dial_timeout", cfg.SMTP.DialTimeout, 10 * time.Second},
		{"smtp.command_timeout", cfg.SMTP.CommandTimeout, 30 * time.Second},
		{"smtp.submission_timeout", cfg.SMTP.SubmissionTimeout, 2 * time.Minute},
		{"smtp.tls_server_name", cfg.SMTP.TLSServerName, ""},
		{"smtp.hello_name", cfg.SMTP.HelloName, ""},
		{"store", cfg.Store, StoreConfig{Driver: "sqlite", DSN: "./sportel.db", Synchronous: "full"}},
		{"classifier.kind", cfg.Classifier.Kind, "builtin"},
		{"classifier.openai", cfg.Classifier.OpenAI == nil, true},
		{"tickets.prefix", cfg.Tickets.Prefix, "DKP"},
		{"tickets.timezone", cfg.Tickets.Timezone, "Europe/Belgrade"},
		{"tickets.location", cfg.Tickets.Location.String(), "Europe/Belgrade"},
		{"tickets.document_request_deadline_days", cfg.Tickets.DocumentRequestDeadlineDays, 7},
		{"tickets.deadline_count", cfg.Tickets.DeadlineCount, "calendar"},
		{"tickets.deadline_moves_off_days_off", cfg.Tickets.DeadlineMovesOffDaysOff, true},
		{"tickets.office_hours_end", cfg.Tickets.OfficeHoursEnd, ""},
		{"tickets.calendar", cfg.Tickets.Calendar, CalendarConfig{}},
		{"tickets.reopen_days", cfg.Tickets.ReopenDays, 14},
		{"tickets.review_threshold", cfg.Tickets.ReviewThreshold, 0.6},
		{"tickets.templates_dir", cfg.Tickets.TemplatesDir, ""},
		{"tickets.ack_limit", cfg.Tickets.AckLimit, AckLimitConfig{Per10Minutes: 3, PerDay: 10}},
		{"tickets.notify_quiet", cfg.Tickets.NotifyQuiet, 2 * time.Minute},
		{"outbox", cfg.Outbox, OutboxConfig{Workers: 4, MaxAttempts: 8, BackoffMin: 10 * time.Second, BackoffMax: 30 * time.Minute, Lease: 30 * time.Second, AcknowledgementsPerHour: 200}},
		{"mail.max_attachment_bytes", cfg.Mail.MaxAttachmentBytes, int64(10 << 20)},
		{"mail.max_raw_bytes", cfg.Mail.MaxRawBytes, int64(25 << 20)},
		{"mail.notify_attachments_max_bytes", cfg.Mail.NotifyAttachmentsMaxBytes, int64(15 << 20)},
		{"mail.trusted_authserv_id", cfg.Mail.TrustedAuthservID, ""},
		{"telegram", cfg.Telegram == nil, true},
		{"log", cfg.Log, LogConfig{Level: "info", Format: "text"}},
		{"log level", cfg.Log.SlogLevel(), slog.LevelInfo},
		{"metrics.listen", cfg.Metrics.Listen, ""},
	}
	for _, c := range cases {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.key, c.got, c.want)
		}
	}
}

func TestOptionalSectionDefaults(t *testing.T) {
	cfg, err := Parse(doc(map[string]string{
		"telegram":   "telegram:\n  token: ${TG_TOKEN}\n  officers_chat_id: ${OFFICERS_CHAT}\n",
		"classifier": "classifier:\n  kind: openai\n  openai:\n    base_url: http://127.0.0.1:11434/v1\n    model: qwen\n",
	}), testEnv())
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	wantTG := DefaultTelegram()
	wantTG.Token = tgSecret
	wantTG.OfficersChatID = -100123
	if !reflect.DeepEqual(*cfg.Telegram, wantTG) {
		t.Errorf("telegram = %+v, want %+v", *cfg.Telegram, wantTG)
	}
	wantAI := OpenAIConfig{BaseURL: "http://127.0.0.1:11434/v1", Model: "qwen", Timeout: 10 * time.Second, Redact: true}
	if !reflect.DeepEqual(*cfg.Classifier.OpenAI, wantAI) {
		t.Errorf("openai = %+v, want %+v", *cfg.Classifier.OpenAI, wantAI)
	}
}

func TestValues(t *testing.T) {
	cases := []struct {
		name      string
		overrides map[string]string
		get       func(*Config) any
		want      any
	}{
		{"size in MiB", map[string]string{"mail": "mail:\n  max_attachment_bytes: 3MiB\n"},
			func(c *Config) any { return c.Mail.MaxAttachmentBytes }, int64(3 << 20)},
		{"size in MB", map[string]string{"mail": "mail:\n  max_raw_bytes: 25MB\n"},
			func(c *Config) any { return c.Mail.MaxRawBytes }, int64(25_000_000)},
		{"trusted authserv-id", map[string]string{"mail": "mail:\n  trusted_authserv_id: mx.rks-gov.net\n"},
			func(c *Config) any { return c.Mail.TrustedAuthservID }, "mx.rks-gov.net"},
		{"size in plain bytes", map[string]string{"mail": "mail:\n  max_raw_bytes: 1048576\n"},
			func(c *Config) any { return c.Mail.MaxRawBytes }, int64(1 << 20)},
		{"duration", map[string]string{"outbox": "outbox:\n  backoff_max: 1h30m\n"},
			func(c *Config) any { return c.Outbox.BackoffMax }, 90 * time.Minute},
		{"env in a plain value", map[string]string{"mailbox": "mailbox:\n  address: ${WORD}@mkrs.example\n"},
			func(c *Config) any { return c.Mailbox.Address }, "sportel@mkrs.example"},
		{"default for an unset variable", map[string]string{"mailbox": "mailbox:\n  address: komunikimi@mkrs.example\n  display_name: ${NOPE:-DKP}\n"},
			func(c *Config) any { return c.Mailbox.DisplayName }, "DKP"},
		{"dollar escape", map[string]string{"mailbox": "mailbox:\n  address: komunikimi@mkrs.example\n  display_name: a $$ b $x\n"},
			func(c *Config) any { return c.Mailbox.DisplayName }, "a $ b $x"},
		{"expanded value is not YAML", map[string]string{"mailbox": "mailbox:\n  address: komunikimi@mkrs.example\n  display_name: ${INJECT}\n"},
			func(c *Config) any { return c.Mailbox.DisplayName }, "x\nstore: {driver: postgres}"},
		{"anchors and aliases", map[string]string{"officers": "officers:\n  - &o {id: zamira, name: Zamira, email: zamira@mkrs.example}\n  - {id: jusuf, name: Jusuf, email: jusuf@mkrs.example}\n"},
			func(c *Config) any { return len(c.Officers) }, 2},
		{"explicit empty match is a catch-all", map[string]string{"routing": "routing:\n  - match: {}\n    officer: zamira\n"},
			func(c *Config) any { return c.Routing[0].IsCatchAll() }, true},
		{"null keeps the default", map[string]string{"log": "log:\n  level:\n"},
			func(c *Config) any { return c.Log.Level }, "info"},
		{"smtp tls_server_name", map[string]string{"smtp": "smtp:\n  addr: 10.20.0.5:465\n  security: tls\n  tls_server_name: smtp.mkrs.example\n"},
			func(c *Config) any { return c.SMTP.TLSServerName }, "smtp.mkrs.example"},
		{"nested mailbox names", map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password: ${IMAP_PW}\n  processed_mailbox: INBOX/Sportel/Processed\n"},
			func(c *Config) any { return c.IMAP.ProcessedMailbox }, "INBOX/Sportel/Processed"},
		{"imap first_start new", map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password: ${IMAP_PW}\n  first_start: new\n"},
			func(c *Config) any { return c.IMAP.FirstStart }, FirstStartNew},
		{"smtp none without login to a relay", map[string]string{"smtp": "smtp:\n  addr: relay.mkrs.example:25\n  security: none\n"},
			func(c *Config) any { return c.SMTP.Security }, SecurityNone},
		{"imap none to loopback", map[string]string{"imap": "imap:\n  addr: '[::1]:143'\n  security: none\n  username: u\n  password: ${IMAP_PW}\n"},
			func(c *Config) any { return c.IMAP.Security }, SecurityNone},
		{"log level debug", map[string]string{"log": "log:\n  level: debug\n  format: json\n"},
			func(c *Config) any { return c.Log.SlogLevel() }, slog.LevelDebug},
		{"deadline rules", map[string]string{"tickets": "tickets:\n  document_request_deadline_days: 10\n  deadline_count: working\n  deadline_moves_off_days_off: false\n  office_hours_end: \"16:30\"\n" +
			"  calendar:\n    eid_al_fitr: [2029-02-14]\n    eid_al_adha: ['2029-04-24']\n    days_off:\n      - {date: 2026-12-31, name: Government decision}\n      - date: 2027-01-05\n    not_days_off: [2027-01-04]\n"},
			func(c *Config) any {
				r := c.Tickets.DeadlineRules()
				cal := r.Calendar
				d := func(s string) calendar.Date { v, _ := calendar.ParseDate(s); return v }
				return fmt.Sprintln(r.Location, r.Days, r.Count, r.KeepDayOff, r.OfficeHoursEnd, len(cal.Missing(2029)),
					cal.IsWorkingDay(d("2026-12-31")), cal.IsWorkingDay(d("2027-01-05")), cal.IsWorkingDay(d("2027-01-04")))
			}, "Europe/Belgrade 10 working true 16h30m0s 0 false false true\n"},
		{"postgres store", map[string]string{"store": "store:\n  driver: postgres\n  dsn: host=db.mkrs.example dbname=sportel user=sportel\n"},
			func(c *Config) any { return c.Store.Driver + " " + c.Store.DSN }, "postgres host=db.mkrs.example dbname=sportel user=sportel"},
		{"schedule", map[string]string{"tickets": "tickets:\n  reminders: [5, 0]\n  reminder_hour: \"07:15\"\n  digest_hour: \"00:00\"\n"},
			func(c *Config) any {
				r, d := c.Tickets.ScheduleTimes()
				return fmt.Sprint(c.Tickets.Reminders, r, d)
			}, "[5 0] 7h15m0s 0s"},
		{"daily digest off", map[string]string{"tickets": "tickets:\n  digest_hour: \"off\"\n"},
			func(c *Config) any { return c.Tickets.DailyDigest() }, false},
		{"daily digest on", nil,
			func(c *Config) any { return c.Tickets.DailyDigest() }, true},
		{"no reminders", map[string]string{"tickets": "tickets:\n  reminders: []\n"},
			func(c *Config) any { return len(c.Tickets.Reminders) }, 0},
		{"default schedule", nil,
			func(c *Config) any {
				r, d := c.Tickets.ScheduleTimes()
				return fmt.Sprint(c.Tickets.Reminders, r, d)
			}, "[2 1 0] 8h0m0s 8h30m0s"},
		{"officer language", map[string]string{"officers": "officers:\n  - {id: osman, name: O, email: o@mkrs.example, language: sr-Cyrl}\n  - {id: jusuf, name: J, email: j@mkrs.example}\n  - {id: zamira, name: Z, email: z@mkrs.example}\n"},
			func(c *Config) any { return fmt.Sprint(c.Officers[0].Language, "|", c.Officers[1].Language) }, "sr-Cyrl|"},
		{"default deadline rules", nil,
			func(c *Config) any {
				r := c.Tickets.DeadlineRules()
				return fmt.Sprintln(r.Location, r.Days, r.Count, r.KeepDayOff, r.OfficeHoursEnd, len(r.Calendar.Missing(2028)))
			}, "Europe/Belgrade 7 calendar false 0s 0\n"},
	}
	env := envMap(map[string]string{"IMAP_PW": imapSecret, "WORD": "sportel", "INJECT": "x\nstore: {driver: postgres}"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse(doc(c.overrides), env)
			if err != nil {
				t.Fatalf("parse:\n%v", err)
			}
			if got := c.get(cfg); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name      string
		overrides map[string]string
		want      []string // each must be (a prefix of) one reported line
	}{
		{"bad officer email", map[string]string{"officers": "officers:\n  - {id: osman, name: O, email: osman@mkrs.example}\n  - {id: jusuf, name: J, email: jusuf@mkrs.example}\n  - {id: zamira, name: Z, email: x}\n"},
			[]string{`officers[2].email: "x" is not an email address (line 12)`}},
		{"unknown routing officer", map[string]string{"routing": "routing:\n  - {match: {category: press_inquiry}, officer: osman}\n  - officer: bob\n"},
			[]string{`routing[1].officer: unknown officer "bob"`}},
		{"no catch-all", map[string]string{"routing": "routing:\n  - {match: {category: press_inquiry}, officer: osman}\n"},
			[]string{"routing: the last rule must be a catch-all (no match) so every ticket has an officer"}},
		{"catch-all too early", map[string]string{"routing": "routing:\n  - officer: osman\n  - officer: zamira\n"},
			[]string{"routing[0]: a catch-all (no match) must be the last rule"}},
		{"bad match values", map[string]string{"routing": "routing:\n  - match: {category: complaint, channel: fax, language: de}\n    officer: osman\n  - officer: zamira\n"},
			[]string{
				`routing[0].match.category: must be one of document_request, press_inquiry, general_question, not "complaint"`,
				`routing[0].match.channel: must be one of email, telegram, not "fax"`,
				`routing[0].match.language: must be one of sq, sr-Latn, sr-Cyrl, en, und, not "de"`,
			}},
		{"bad tls_server_name", map[string]string{"smtp": "smtp:\n  addr: 10.20.0.5:465\n  tls_server_name: smtp.mkrs.example:465\n"},
			[]string{`smtp.tls_server_name: "smtp.mkrs.example:465" is not a host name or IP address`}},
		{"bad mailbox names", map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password: ${IMAP_PW}\n  processed_mailbox: Sportel//Processed\n  quarantine_mailbox: Sportel/*\n"},
			[]string{
				`imap.processed_mailbox: "Sportel//Processed" has an empty level`,
				`imap.quarantine_mailbox: "Sportel/*" contains * or %`,
			}},
		{"bad security", map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  security: ssl\n  username: u\n  password: ${IMAP_PW}\n"},
			[]string{`imap.security: must be one of tls, starttls, none, not "ssl"`}},
		{"unknown first_start", map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password: ${IMAP_PW}\n  first_start: unread\n"},
			[]string{`imap.first_start: must be one of all, new, not "unread" (line 7)`}},
		{"unset variable", map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password: ${SPORTEL_IMAP_PASSWORD}\n"},
			[]string{"imap.password: environment variable SPORTEL_IMAP_PASSWORD is not set (line 6)"}},
		{"two unset variables", map[string]string{"mailbox": "mailbox:\n  address: ${A}@${B}\n"},
			[]string{"mailbox.address: environment variables A, B are not set"}},
		{"unterminated reference", map[string]string{"mailbox": "mailbox:\n  address: ${A\n"},
			[]string{"mailbox.address: unterminated ${"}},
		{"duplicate officer", map[string]string{"officers": "officers:\n  - {id: zamira, name: Z, email: z@mkrs.example}\n  - {id: jusuf, name: J, email: j@mkrs.example}\n  - {id: jusuf, name: J2, email: j2@mkrs.example}\n"},
			[]string{`officers[2].id: duplicate id "jusuf" (also officers[1])`}},
		{"bad officer id", map[string]string{"officers": "officers:\n  - {id: Jusuf Lushaku, name: J, email: j@mkrs.example}\n"},
			[]string{`officers[0].id: "Jusuf Lushaku" must be 1–32 lower-case letters`}},
		{"missing officer fields", map[string]string{"officers": "officers:\n  - {id: zamira}\n"},
			[]string{"officers[0].name: required", "officers[0].email: required"}},
		{"no officers", map[string]string{"officers": "", "routing": ""},
			[]string{"officers: at least one officer is required", "routing: at least one rule is required"}},
		{"bad timezone", map[string]string{"tickets": "tickets:\n  timezone: Europe/Prishtina\n"},
			[]string{`tickets.timezone: unknown time zone "Europe/Prishtina"`}},
		{"bad prefix", map[string]string{"tickets": "tickets:\n  prefix: DKP1\n"},
			[]string{`tickets.prefix: must be 2–10 ASCII letters, not "DKP1"`}},
		{"unknown key with suggestion", map[string]string{"imap": "imap:\n  adress: imap.mkrs.example:993\n  addr: imap.mkrs.example:993\n  username: u\n  password: ${IMAP_PW}\n"},
			[]string{"imap.adress: unknown key (line 4)"}},
		{"misspelt key", map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  pasword: ${IMAP_PW}\n"},
			[]string{`imap.pasword: unknown key; did you mean "password"? (line 6)`, "imap.password: required"}},
		{"unknown top-level key", map[string]string{"extra": "tickts:\n  prefix: DKP\n"},
			[]string{`tickts: unknown key; did you mean "tickets"?`}},
		{"duplicate key", map[string]string{"log": "log:\n  level: info\n  level: debug\n"},
			[]string{"log.level: duplicate key (first at line"}},
		{"invalid duration", map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password: ${IMAP_PW}\n  poll_interval: 60\n"},
			[]string{`imap.poll_interval: "60" is not a duration (write it like 60s, 5m or 1h30m)`}},
		{"authserv-id with a version", map[string]string{"mail": "mail:\n  trusted_authserv_id: mx.rks-gov.net 1\n"},
			[]string{`mail.trusted_authserv_id: "mx.rks-gov.net 1" is not a host name`}},
		{"authserv-id with the results", map[string]string{"mail": "mail:\n  trusted_authserv_id: 'mx.rks-gov.net; dkim=pass'\n"},
			[]string{`mail.trusted_authserv_id: "mx.rks-gov.net; dkim=pass" is not a host name`}},
		{"invalid size", map[string]string{"mail": "mail:\n  max_raw_bytes: 10 megabytes\n"},
			[]string{`mail.max_raw_bytes: "10 megabytes" is not a size`}},
		{"unknown sync level", map[string]string{"store": "store:\n  dsn: ./s.db\n  synchronous: off\n"},
			[]string{"store.synchronous:"}},
		{"invalid integer", map[string]string{"outbox": "outbox:\n  workers: two\n"},
			[]string{`outbox.workers: "two" is not a whole number`}},
		{"invalid bool", map[string]string{"classifier": "classifier:\n  openai:\n    base_url: http://x/v1\n    model: m\n    redact: maybe\n"},
			[]string{`classifier.openai.redact: "maybe" is not true or false`}},
		{"mapping where a value belongs", map[string]string{"log": "log:\n  level: {a: b}\n"},
			[]string{"log.level: want text, got a mapping"}},
		{"list where a mapping belongs", map[string]string{"mailbox": "mailbox: [a, b]\n"},
			[]string{"mailbox: want a mapping of keys, got a list", "mailbox.address: required"}},
		{"clear-text imap to a remote host", map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:143\n  security: none\n  username: u\n  password: ${IMAP_PW}\n"},
			[]string{"imap.security: none would send the password in clear text to imap.mkrs.example"}},
		{"clear-text smtp login to a remote host", map[string]string{"smtp": "smtp:\n  addr: smtp.mkrs.example:25\n  security: none\n  username: u\n  password: ${SMTP_PW}\n"},
			[]string{"smtp.security: none would send the password in clear text to smtp.mkrs.example"}},
		{"smtp login without password", map[string]string{"smtp": "smtp:\n  addr: smtp.mkrs.example:587\n  username: u\n"},
			[]string{"smtp.password: required when smtp.username is set"}},
		{"missing sections", map[string]string{"imap": "", "smtp": "", "mailbox": ""},
			[]string{"mailbox.address: required", "imap: required section is missing", "smtp: required section is missing"}},
		{"bad addr", map[string]string{"smtp": "smtp:\n  addr: smtp.mkrs.example\n"},
			[]string{`smtp.addr: "smtp.mkrs.example" is not a host:port address`}},
		{"unknown store driver", map[string]string{"store": "store:\n  driver: mysql\n  dsn: u:pw@/sportel\n"},
			[]string{`store.driver: must be one of sqlite, postgres, not "mysql"`}},
		{"postgres without dsn", map[string]string{"store": "store:\n  driver: postgres\n"},
			[]string{"store.dsn: required when store.driver is postgres"}},
		{"postgres dsn the driver cannot read", map[string]string{"store": "store:\n  driver: postgres\n  dsn: \"host=db.mkrs.example port=54x32 user=sportel\"\n"},
			[]string{"store.dsn: PostgreSQL's driver cannot read it"}},
		{"smtp password without login", map[string]string{"smtp": "smtp:\n  addr: smtp.mkrs.example:587\n  password: ${SMTP_PW}\n"},
			[]string{"smtp.username: required when smtp.password or smtp.password_file is set"}},
		{"openai required", map[string]string{"classifier": "classifier:\n  kind: openai\n"},
			[]string{"classifier.openai: required when classifier.kind is openai"}},
		{"openai fields", map[string]string{"classifier": "classifier:\n  kind: openai\n  openai:\n    base_url: ftp://x\n    timeout: 0s\n"},
			[]string{`classifier.openai.base_url: "ftp://x" is not an http(s) URL`, "classifier.openai.model: required", "classifier.openai.timeout: must be longer than 0s"}},
		// The client appends /chat/completions to the URL: a query would end
		// up in front of it, and a key in it in every logged transport error.
		// The message does not repeat the URL, key and all.
		{"openai base_url with a query", map[string]string{"classifier": "classifier:\n  kind: openai\n  openai:\n    base_url: https://llm.mkrs.example/v1?api-key=${AI_KEY}\n    model: m\n"},
			[]string{"classifier.openai.base_url: must not have a query or fragment"}},
		{"openai base_url with a fragment", map[string]string{"classifier": "classifier:\n  kind: openai\n  openai:\n    base_url: https://llm.mkrs.example/v1#top\n    model: m\n"},
			[]string{"classifier.openai.base_url: must not have a query or fragment"}},
		{"telegram without token", map[string]string{"telegram": "telegram:\n  poll_timeout: 10m\n  flood: {messages: 0}\n"},
			[]string{"telegram.token: required", "telegram.poll_timeout: must be between 1s and 5m", "telegram.flood.messages: must be between 1 and 10000, not 0"}},
		{"literal secret", map[string]string{"telegram": "telegram:\n  token: " + literalPass + "\n"},
			[]string{"telegram.token: secrets must not be written in the file; write ${ENV_VAR} or use token_file"}},
		{"secret with a literal default", map[string]string{"telegram": "telegram:\n  token: ${TG:-" + literalPass + "}\n"},
			[]string{"telegram.token: secrets must not be written in the file"}},
		{"ranges", map[string]string{
			"tickets": "tickets:\n  document_request_deadline_days: 0\n  review_threshold: 1.5\n  ack_limit: {per_10_minutes: 5, per_day: 2}\n  notify_quiet: -1m\n",
			"outbox":  "outbox:\n  backoff_min: 1m\n  backoff_max: 30s\n  lease: 2s\n  acknowledgements_per_hour: -1\n",
			"mail":    "mail:\n  max_attachment_bytes: 0\n",
		}, []string{
			"tickets.document_request_deadline_days: must be between 1 and 365, not 0",
			"tickets.review_threshold: must be between 0 and 1",
			"tickets.ack_limit.per_day: must be at least per_10_minutes (5)",
			"tickets.notify_quiet: must be between 0 (off) and 24h, not -1m0s",
			"outbox.backoff_max: must be at least backoff_min (1m0s)",
			"outbox.lease: must be at least 3s",
			"outbox.acknowledgements_per_hour: must be between 0 and 1000000, not -1",
			"mail.max_attachment_bytes: must be between 1 byte and 1GiB",
		}},
		{"deadline settings", map[string]string{"tickets": "tickets:\n  deadline_count: lunar\n  deadline_moves_off_days_off: yes\n  office_hours_end: 4pm\n"},
			[]string{
				`tickets.deadline_count: must be one of calendar, working, not "lunar"`,
				`tickets.deadline_moves_off_days_off: "yes" is not true or false`,
				`tickets.office_hours_end: "4pm" is not a time of day like 16:00 (00:01 to 23:59)`,
			}},
		{"schedule settings", map[string]string{"tickets": "tickets:\n  reminders: [3, -1, 31, 3]\n  reminder_hour: \"8\"\n  digest_hour: \"24:00\"\n"},
			[]string{
				`tickets.reminders[1]: must be between 0 (the due day) and 30 working days before it, not -1`,
				`tickets.reminders[2]: must be between 0 (the due day) and 30 working days before it, not 31`,
				`tickets.reminders[3]: 3 is listed twice (also [0])`,
				`tickets.reminder_hour: "8" is not a time of day like 08:30 (00:00 to 23:59)`,
				`tickets.digest_hour: "24:00" is not a time of day like 08:30 (00:00 to 23:59), or off`,
			}},
		{"reminders are numbers", map[string]string{"tickets": "tickets:\n  reminders: [two]\n"},
			[]string{`tickets.reminders[0]: `}},
		{"reminders are a list", map[string]string{"tickets": "tickets:\n  reminders: 2\n"},
			[]string{`tickets.reminders: want a list`}},
		{"officer language", map[string]string{"officers": "officers:\n  - {id: osman, name: O, email: o@mkrs.example, language: de}\n  - {id: jusuf, name: J, email: j@mkrs.example, language: und}\n  - {id: zamira, name: Z, email: z@mkrs.example}\n"},
			[]string{
				`officers[0].language: must be one of sq, sr-Latn, sr-Cyrl, en, not "de"`,
				`officers[1].language: must be one of sq, sr-Latn, sr-Cyrl, en, not "und"`,
			}},
		{"midnight is no office hours end", map[string]string{"tickets": "tickets:\n  office_hours_end: \"00:00\"\n"},
			[]string{`tickets.office_hours_end: "00:00" is not a time of day`}},
		{"calendar dates", map[string]string{"tickets": "tickets:\n  calendar:\n    eid_al_fitr: [2029-02-30, 2029-02-14, 2029-02-14]\n    eid_al_adha: [24.04.2029]\n" +
			"    days_off:\n      - {name: no date}\n      - {date: 2026-12-31}\n      - {date: 2026-12-31, name: again}\n    not_days_off: [2026-12-31, 2027-01-04, 2027-01-04, tomorrow]\n"},
			[]string{
				`tickets.calendar.eid_al_fitr[0]: "2029-02-30" is not a date like 2027-05-04`,
				`tickets.calendar.eid_al_fitr[2]: 2029-02-14 is listed twice (also [1])`,
				`tickets.calendar.eid_al_adha[0]: "24.04.2029" is not a date like 2027-05-04`,
				`tickets.calendar.days_off[0].date: required`,
				`tickets.calendar.days_off[2].date: 2026-12-31 is listed twice (also tickets.calendar.days_off[1])`,
				`tickets.calendar.not_days_off[0]: 2026-12-31 is also a day off (tickets.calendar.days_off[1])`,
				`tickets.calendar.not_days_off[2]: 2027-01-04 is listed twice (also tickets.calendar.not_days_off[1])`,
				`tickets.calendar.not_days_off[3]: "tomorrow" is not a date`,
			}},
		{"same mailbox twice", map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password: ${IMAP_PW}\n  processed_mailbox: INBOX\n"},
			[]string{"imap.processed_mailbox: must differ from imap.mailbox"}},
		{"log and metrics", map[string]string{"log": "log:\n  level: verbose\n  format: xml\n", "metrics": "metrics:\n  listen: nowhere\n"},
			[]string{`log.level: must be one of debug, info, warn, error, not "verbose"`, `log.format: must be one of text, json, not "xml"`, `metrics.listen: "nowhere" is not a host:port address`}},
		{"merge key", map[string]string{"log": "log:\n  <<: {level: info}\n"},
			[]string{"log: merge keys (<<) are not supported"}},
		{"empty list entry", map[string]string{"officers": "officers:\n  -\n  - {id: zamira, name: Z, email: z@mkrs.example}\n"},
			[]string{"officers[0]: empty list entry"}},
		{"duplicate telegram user", map[string]string{"officers": "officers:\n  - {id: jusuf, name: J, email: j@mkrs.example, telegram_user_id: 7}\n  - {id: zamira, name: Z, email: z@mkrs.example, telegram_user_id: 7}\n"},
			[]string{"officers[1].telegram_user_id: same Telegram user as officers[0]"}},
		{"unknown role", map[string]string{"officers": "officers:\n  - {id: jusuf, name: J, email: j@mkrs.example, role: boss}\n"},
			[]string{`officers[0].role: must be one of officer, head, not "boss"`}},
		{"bad refusal grounds", map[string]string{"tickets": "tickets:\n  refusal_grounds:\n" +
			"    - {id: Personal Data, label: {sq: a, sr-Latn: b, sr-Cyrl: c, en: d}}\n" +
			"    - {id: secret, label: {sq: a, sr-Latn: b, sr-Cyrl: c, en: d}}\n" +
			"    - {id: secret, label: {sq: a}}\n" +
			"    - {label: {sq: a, sr-Latn: b, sr-Cyrl: c, en: d}}\n"},
			[]string{
				`tickets.refusal_grounds[0].id: must be lower-case letters, digits and _ (up to 40), starting with a letter, not "Personal Data"`,
				`tickets.refusal_grounds[2].id: duplicate id "secret" (also tickets.refusal_grounds[1])`,
				"tickets.refusal_grounds[2].label.sr-Latn: required",
				"tickets.refusal_grounds[2].label.en: required",
				"tickets.refusal_grounds[3].id: required",
			}},
		{"no refusal grounds", map[string]string{"tickets": "tickets:\n  refusal_grounds: []\n"},
			[]string{"tickets.refusal_grounds: at least one ground is required"}},
		{"division name emptied", map[string]string{"extra": "division:\n  name:\n    sr-Cyrl: \"\"\n"},
			[]string{"division.name.sr-Cyrl: required"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(doc(c.overrides), testEnv())
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("err = %v (%T), want Errors", err, err)
			}
			lines := strings.Split(err.Error(), "\n")
			for _, want := range c.want {
				if !hasLinePrefix(lines, want) {
					t.Errorf("missing %q in:\n%v", want, err)
				}
			}
			checkNoSecrets(t, err.Error())
		})
	}
}

func hasLinePrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func checkNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range allSecrets {
		if strings.Contains(s, secret) {
			t.Errorf("secret %q appears in:\n%s", secret, s)
		}
	}
}

func TestManyErrorsAtOnce(t *testing.T) {
	data := []byte(`
mailbox:
  address: not-an-address
imap:
  adress: imap.mkrs.example:993
  security: ssl
  username: u
  password: ${SPORTEL_IMAP_PASSWORD}
smtp:
  addr: smtp.mkrs.example:587
officers:
  - {id: osman, name: Osman, email: osman@mkrs.example}
  - {id: osman, name: Osman again, email: osman2@mkrs.example}
routing:
  - {match: {category: press_inquiry}, officer: bob}
tickets:
  timezone: Mars/Olympus
  prefix: X
outbox:
  lease: soon
`)
	_, err := Parse(data, testEnv())
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v, want Errors", err)
	}
	want := []string{
		"mailbox.address:", "imap.adress: unknown key", "imap.security:", "imap.password: environment variable SPORTEL_IMAP_PASSWORD is not set",
		"imap.addr: required", "officers[1].id: duplicate id", "routing[0].officer: unknown officer", "routing: the last rule",
		"tickets.timezone:", "tickets.prefix:", "outbox.lease:",
	}
	lines := strings.Split(err.Error(), "\n")
	for _, w := range want {
		if !hasLinePrefix(lines, w) {
			t.Errorf("missing %q", w)
		}
	}
	if len(errs) != len(lines) || len(errs) < len(want) {
		t.Errorf("%d errors, %d lines, want at least %d:\n%v", len(errs), len(lines), len(want), err)
	}
	for i := 1; i < len(errs); i++ {
		if errs[i].Line < errs[i-1].Line {
			t.Errorf("errors not in file order: line %d after line %d", errs[i].Line, errs[i-1].Line)
		}
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Path == "" {
		t.Errorf("errors.As(*FieldError) = %v", fe)
	}
}

// Values that came from the environment, or sit in a secret key, are never
// repeated in an error, whatever the error.
func TestErrorsNeverShowSecrets(t *testing.T) {
	cases := map[string]map[string]string{
		"secret in an integer key":  {"outbox": "outbox:\n  workers: ${IMAP_PW}\n"},
		"secret in a duration key":  {"outbox": "outbox:\n  lease: ${SMTP_PW}\n"},
		"secret in a size key":      {"mail": "mail:\n  max_raw_bytes: ${TG_TOKEN}\n"},
		"secret in an email key":    {"mailbox": "mailbox:\n  address: ${AI_KEY}\n"},
		"secret in an enum key":     {"log": "log:\n  level: ${IMAP_PW}\n"},
		"secret in an address key":  {"smtp": "smtp:\n  addr: ${SMTP_PW}\n"},
		"secret in a timezone key":  {"tickets": "tickets:\n  timezone: ${TG_TOKEN}\n  prefix: ${AI_KEY}\n"},
		"secret in a bool key":      {"classifier": "classifier:\n  openai:\n    base_url: ${AI_KEY}\n    model: m\n    redact: ${AI_KEY}\n"},
		"secret as a routing value": {"routing": "routing:\n  - match: {category: '${IMAP_PW}'}\n    officer: x\n  - officer: zamira\n"},
		"literal secret":            {"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password: " + literalPass + "\n"},
		"literal secret not string": {"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password: [" + literalPass + "]\n"},
	}
	for name, overrides := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(doc(overrides), testEnv())
			if err == nil {
				t.Fatal("no error")
			}
			checkNoSecrets(t, err.Error())
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		name string
		data string
		want string
	}{
		{"bad indentation", "mailbox:\n  address: a@b\n bad: [\n", "parse YAML: line "},
		{"tab", "mailbox:\n\taddress: x\n", "parse YAML: line 2"},
		// yaml's own words name no tab, and for a tab under an indented
		// key it names the line above: the one with the tab is named.
		{"tab as indentation", "mailbox:\n\taddress: x\n", "line 2 is indented with a tab: indent with spaces only"},
		{"tab after an indented key", "mailbox:\n  address: x\n\tdisplay_name: y\n", "line 3 is indented with a tab"},
		{"tab on a blank line and before a comment", "mailbox:\n\t\n\t# x\n  address: x\n\tdisplay_name: y\n", "line 5 is indented with a tab"},
		{"tab before a list item", "mailbox:\n  address: x\nofficers:\n\t- id: a\n", "line 4 is indented with a tab"},
		{"two documents", "log: {level: info}\n---\nlog: {level: debug}\n", "only one YAML document is allowed (line 2)"},
		{"not a mapping", "- a\n- b\n", "want a mapping of keys, got a list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.data), testEnv())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestEmptyFileReportsRequiredKeys(t *testing.T) {
	_, err := Parse(nil, testEnv())
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"mailbox.address: required", "imap: required section is missing", "officers: at least one officer is required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	secretPath := filepath.Join(dir, "imap-secret")
	if err := os.WriteFile(secretPath, []byte(fileSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	blankAfter, twoLines := filepath.Join(dir, "blank-after"), filepath.Join(dir, "two-lines")
	if err := os.WriteFile(blankAfter, []byte(fileSecret+"\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(twoLines, []byte(fileSecret+"\r\nsecond\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyPath := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyPath, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	imapWith := func(extra string) map[string]string {
		return map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n" + extra}
	}
	cases := []struct {
		name      string
		overrides map[string]string
		wantPW    string
		wantErr   string
	}{
		{"password from file", imapWith("  password_file: " + secretPath + "\n"), fileSecret, ""},
		{"both password and file", imapWith("  password: ${IMAP_PW}\n  password_file: " + secretPath + "\n"), "", "imap.password_file: set password or password_file, not both"},
		{"missing secret file", imapWith("  password_file: " + filepath.Join(dir, "nope") + "\n"), "", "imap.password_file: read secret: open " + filepath.Join(dir, "nope")},
		{"empty secret file", imapWith("  password_file: " + emptyPath + "\n"), "", "imap.password_file: " + emptyPath + " is empty"},
		{"secret file with a blank line after it", imapWith("  password_file: " + blankAfter + "\n"), "", "imap.password_file: " + blankAfter + " holds more than one line"},
		{"secret file of two lines", imapWith("  password_file: " + twoLines + "\n"), "", "imap.password_file: " + twoLines + " holds more than one line"},
		{"no password at all", imapWith(""), "", "imap.password: required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "sportel.yaml")
			if err := os.WriteFile(path, doc(c.overrides), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(path, testEnv())
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				checkNoSecrets(t, err.Error())
				return
			}
			if err != nil {
				t.Fatalf("load:\n%v", err)
			}
			if got := cfg.IMAP.Password.Reveal(); got != c.wantPW {
				t.Errorf("password = %q, want %q", got, c.wantPW)
			}
		})
	}

	missing := filepath.Join(dir, "absent.yaml")
	_, err := Load(missing, testEnv())
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Load(missing) = %v, want a not-exist error naming the path", err)
	}
}

// writeCA writes a CA certificate as PEM: the self-signed test certificate
// is its own CA.
func writeCA(t *testing.T, path string) {
	t.Helper()
	server, _ := testutil.SelfSignedTLS(t)
	block := &pem.Block{Type: "CERTIFICATE", Bytes: server.Certificates[0].Certificate[0]}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFileChecks(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	writeCA(t, ca)
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		overrides map[string]string
		wantErr   string
	}{
		{"good CA", map[string]string{"smtp": "smtp:\n  addr: s.example:465\n  security: tls\n  ca_file: " + ca + "\n"}, ""},
		{"CA not PEM", map[string]string{"smtp": "smtp:\n  addr: s.example:465\n  ca_file: " + notPEM + "\n"}, "smtp.ca_file: " + notPEM + " holds no PEM certificate"},
		{"CA missing", map[string]string{"smtp": "smtp:\n  addr: s.example:465\n  ca_file: " + filepath.Join(dir, "x.pem") + "\n"}, "smtp.ca_file: read CA file: open "},
		{"templates dir", map[string]string{"tickets": "tickets:\n  templates_dir: " + dir + "\n"}, ""},
		{"templates dir is a file", map[string]string{"tickets": "tickets:\n  templates_dir: " + ca + "\n"}, "tickets.templates_dir: " + ca + " is not a directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(doc(c.overrides), testEnv())
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("unexpected error:\n%v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	env := envMap(map[string]string{"A": "x", "EMPTY": ""})
	cases := []struct {
		in, want string
		changed  bool
		err      string
	}{
		{"plain", "plain", false, ""},
		{"${A}", "x", true, ""},
		{"a-${A}-${A}", "a-x-x", true, ""},
		{"${EMPTY}", "", true, ""},
		{"${EMPTY:-d}", "d", true, ""},
		{"${UNSET:-}", "", true, ""},
		{"${A:-d}", "x", true, ""},
		{"$$A", "$A", true, ""},
		{"cost $5", "cost $5", false, ""},
		{"trailing $", "trailing $", false, ""},
		{"${UNSET}", "", false, "environment variable UNSET is not set"},
		{"${1BAD}", "", false, `"1BAD" is not an environment variable name`},
		{"${A", "", false, "unterminated ${"},
	}
	for _, c := range cases {
		got, changed, err := expand(c.in, env)
		if c.err != "" {
			if err == nil || err.Error() != c.err && !strings.HasPrefix(err.Error(), c.err) {
				t.Errorf("expand(%q) err = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want || changed != c.changed {
			t.Errorf("expand(%q) = %q, %v, %v; want %q, %v", c.in, got, changed, err, c.want, c.changed)
		}
	}
}

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1024", 1024, true},
		{"10MiB", 10 << 20, true},
		{"10 mib", 10 << 20, true},
		{"25MB", 25_000_000, true},
		{"512KiB", 512 << 10, true},
		{"2GiB", 2 << 30, true},
		{"1kB", 1000, true},
		{"7B", 7, true},
		{"10_000", 10000, true},
		{"10M", 0, false},
		{"-1", 0, false},
		{"1.5MiB", 0, false},
		{"MiB", 0, false},
		{"99999999999GiB", 0, false},
	}
	for _, c := range cases {
		got, err := parseSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestSecretStaysHidden(t *testing.T) {
	m := IMAPConfig{Username: "u", Password: imapSecret}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("config", "imap", m, "password", m.Password)
	jsonOut, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", m),
		"%+v":  fmt.Sprintf("%+v", m),
		"%#v":  fmt.Sprintf("%#v", m),
		"%s":   fmt.Sprintf("<%s>", m.Password),
		"%q":   fmt.Sprintf("%q", m.Password),
		"slog": logBuf.String(),
		"json": string(jsonOut),
	}
	for name, out := range outputs {
		if strings.Contains(out, imapSecret) {
			t.Errorf("%s reveals the secret: %s", name, out)
		}
	}
	if m.Password.Reveal() != imapSecret {
		t.Errorf("Reveal() = %q", m.Password.Reveal())
	}
}

func TestSummary(t *testing.T) {
	env := map[string]string{"SPORTEL_IMAP_PASSWORD": imapSecret, "SPORTEL_SMTP_PASSWORD": smtpSecret, "SPORTEL_TELEGRAM_TOKEN": tgSecret, "SPORTEL_OPENAI_API_KEY": aiSecret}
	data := bytes.Replace(uncomment(readExample(t)), []byte("  kind: builtin"), []byte("  kind: openai"), 1)
	data = bytes.Replace(data, []byte(`  username: ""`), []byte(`  username: "relay-user"`), 1)
	data = bytes.Replace(data, []byte("dsn: ./sportel.db"), []byte("dsn: ./sportel.db?password=${SPORTEL_SMTP_PASSWORD}"), 1)
	cfg, err := Parse(data, envMap(env))
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	var b bytes.Buffer
	cfg.Summary(&b)
	out := b.String()
	checkNoSecrets(t, out)
	for _, want := range []string{
		"Divizioni për Komunikim Publik <komunikimi@mkrs.example>",
		"127.0.0.1:1143 (tls), user komunikimi@mkrs.example, password set",
		"127.0.0.1:1025 (starttls), user relay-user, password set",
		"openai qwen2.5:7b-instruct at http://127.0.0.1:11434/v1, api key set",
		"telegram    on, https://api.telegram.org, token set, discussion chat -1001000000001, officers chat -1001000000002",
		"officers (3):",
		"jusuf   Jusuf Lushaku   Zyrtar i Lartë për Informim",
		"telegram 100000001",
		"  1. category=document_request → jusuf (Jusuf Lushaku)\n",
		"  2. category=press_inquiry → osman (Osman D. Gashi)\n",
		"  3. channel=telegram, language=sr-Cyrl → zamira (Zamira Ahmeti)\n",
		"  4. everything else → zamira (Zamira Ahmeti)\n",
		fmt.Sprintf("numbers like DKP-%d-000042, time zone Europe/Belgrade", time.Now().In(cfg.Tickets.Location).Year()),
		"attachments up to 10MiB",
		"metrics     off",
		"reminders 2, 1, 0 working days before the due day at 08:00; escalations, and a daily digest at 08:30 on working days, to osman",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}

	cfg.Tickets.DigestHour = "off"
	b.Reset()
	cfg.Summary(&b)
	if want := "at 08:00; escalations, and no daily digest, to osman"; !strings.Contains(b.String(), want) {
		t.Errorf("summary with digest_hour off lacks %q:\n%s", want, b.String())
	}

	cfg.Telegram = nil
	cfg.Tickets.Reminders = nil
	for i := range cfg.Officers {
		cfg.Officers[i].Role = ""
	}
	b.Reset()
	cfg.Summary(&b)
	for _, want := range []string{"telegram    off (email only)", "no reminders; no head (role: head): no escalations or daily digests are sent"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary without telegram, reminders or heads lacks %q:\n%s", want, b.String())
		}
	}

	// A proxy's basic-auth password in the URL is shown as no other secret is.
	cfg.Classifier.OpenAI.BaseURL = "https://sportel:" + aiSecret + "@llm.mkrs.example/v1"
	b.Reset()
	cfg.Summary(&b)
	checkNoSecrets(t, b.String())
	if want := "openai qwen2.5:7b-instruct at https://sportel:xxxxx@llm.mkrs.example/v1,"; !strings.Contains(b.String(), want) {
		t.Errorf("summary with a password in classifier.openai.base_url lacks %q:\n%s", want, b.String())
	}

	cfg.Store = StoreConfig{Driver: DriverPostgres, DSN: "host=db.mkrs.example password=" + smtpSecret + " dbname=sportel", Synchronous: "full"}
	b.Reset()
	cfg.Summary(&b)
	checkNoSecrets(t, b.String())
	if !strings.Contains(b.String(), "postgres host=db.mkrs.example password=xxxxx dbname=sportel\n") {
		t.Errorf("summary of a postgres store (password hidden, no SQLite sync level):\n%s", b.String())
	}
}

// Credentials cross the network only encrypted: an LLM key or a bot token
// over plain http is refused unless the server is this machine.
func TestCredentialsOverPlainHTTP(t *testing.T) {
	llm := func(baseURL, key string) map[string]string {
		s := "classifier:\n  kind: openai\n  openai:\n    base_url: " + baseURL + "\n    model: m\n"
		if key != "" {
			s += "    api_key: " + key + "\n"
		}
		return map[string]string{"classifier": s}
	}
	tg := func(apiURL string) map[string]string {
		return map[string]string{"telegram": "telegram:\n  token: ${TG_TOKEN}\n  api_url: " + apiURL + "\n"}
	}
	const (
		llmRefused = "classifier.openai.base_url: http would send api_key in clear text to "
		tgRefused  = "telegram.api_url: http would send the bot token in clear text to "
	)
	cases := []struct {
		name      string
		overrides map[string]string
		want      string // "" means the configuration is accepted
	}{
		{"llm key over http to a remote host", llm("http://llm.mkrs.example/v1", "${AI_KEY}"), llmRefused + "llm.mkrs.example"},
		{"llm key over http to a LAN address", llm("http://10.0.0.7:11434/v1", "${AI_KEY}"), llmRefused + "10.0.0.7"},
		{"llm key over HTTP in capitals", llm("HTTP://llm.mkrs.example/v1", "${AI_KEY}"), llmRefused + "llm.mkrs.example"},
		{"llm key over http to localhost", llm("http://localhost:11434/v1", "${AI_KEY}"), ""},
		{"llm key over http to 127.0.0.1", llm("http://127.0.0.1:11434/v1", "${AI_KEY}"), ""},
		{"llm key over http to ::1", llm("http://[::1]:11434/v1", "${AI_KEY}"), ""},
		{"llm key over https to a remote host", llm("https://llm.mkrs.example/v1", "${AI_KEY}"), ""},
		{"no llm key over http to a remote host", llm("http://llm.mkrs.example/v1", ""), ""},
		{"llm key from a variable set empty", llm("http://llm.mkrs.example/v1", "${EMPTY}"), ""},
		{"telegram over http to a remote host", tg("http://tg-proxy.mkrs.example"), tgRefused + "tg-proxy.mkrs.example"},
		{"telegram over http to localhost", tg("http://localhost:8081"), ""},
		{"telegram over http to 127.0.0.1", tg("http://127.0.0.1:8081"), ""},
		{"telegram over https", tg("https://api.telegram.org"), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(doc(c.overrides), testEnv())
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused:\n%v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want %q", c.want)
			}
			if !hasLinePrefix(strings.Split(err.Error(), "\n"), c.want) {
				t.Errorf("missing %q in:\n%v", c.want, err)
			}
			checkNoSecrets(t, err.Error())
		})
	}
}

// A secret with a line break in it fails every login, unsaid: refused,
// named, and never printed, however it got there.
func TestSecretWithLineBreakRefused(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		imap    string // the imap section; "" keeps the minimal one
		wantErr string
	}{
		{"a variable set with its newline", map[string]string{"IMAP_PW": imapSecret + "\n"}, "", "imap.password holds a line break"},
		{"a CRLF env file", map[string]string{"IMAP_PW": imapSecret + "\r"}, "", "imap.password holds a line break"},
		{"one line", nil, "", ""},
		{"one line, in a YAML block that strips the newline", nil, "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password: |-\n    ${IMAP_PW}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"IMAP_PW": imapSecret, "SMTP_PW": smtpSecret, "TG_TOKEN": tgSecret, "AI_KEY": aiSecret, "OFFICERS_CHAT": "-100123"}
			maps.Copy(vars, tt.env)
			overrides := map[string]string{}
			if tt.imap != "" {
				overrides["imap"] = tt.imap
			}
			_, err := Parse(doc(overrides), envMap(vars))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("parse: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			case err != nil:
				checkNoSecrets(t, err.Error())
			}
		})
	}
}
