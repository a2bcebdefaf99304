package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"sportel/inquiry"
	"sportel/netguard"
)

// checker collects validation problems with the decoder's line numbers.
type checker struct{ d *decoder }

func (c checker) fail(path, format string, args ...any) {
	c.d.errorf(path, c.d.lineOf(path), format, args...)
}

// required reports a missing value and whether it is set. A value whose
// decoding already failed (an unset variable) is not reported again.
func (c checker) required(path, value string) bool {
	if strings.TrimSpace(value) == "" {
		if !c.d.hasError(path) {
			c.fail(path, "required")
		}
		return false
	}
	return true
}

func (c checker) oneOf(path, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	c.fail(path, "must be one of %s, not %s", strings.Join(allowed, ", "), c.d.show(path, value))
}

func (c checker) positive(path string, d time.Duration) {
	if d <= 0 {
		c.fail(path, "must be longer than 0s")
	}
}

func (c checker) intRange(path string, v, lo, hi int) {
	if v < lo || v > hi {
		c.fail(path, "must be between %d and %d, not %d", lo, hi, v)
	}
}

func (c checker) email(path, value string) {
	if !c.required(path, value) {
		return
	}
	if !isEmail(value) {
		c.fail(path, "%s is not an email address", c.d.show(path, value))
	}
}

func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(s, "@")
}

// hostPort checks an address like "mail.example:993" and returns the host.
func (c checker) hostPort(path, value string, hostRequired bool) (string, bool) {
	if !c.required(path, value) {
		return "", false
	}
	host, port, err := net.SplitHostPort(value)
	if err != nil || (hostRequired && host == "") {
		c.fail(path, "%s is not a host:port address", c.d.show(path, value))
		return "", false
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		c.fail(path, "%s has no valid port", c.d.show(path, value))
		return "", false
	}
	return host, true
}

// mailboxName checks what can be checked of a mailbox name without the
// server: "/" separates levels (the watcher turns it into the server's own
// separator), so no level may be empty; "*" and "%" are IMAP's wildcards.
func (c checker) mailboxName(path, name string) {
	for level := range strings.SplitSeq(name, "/") {
		if level == "" {
			c.fail(path, "%s has an empty level: write levels as Parent/Child, without a leading, trailing or double /", c.d.show(path, name))
			return
		}
	}
	if strings.ContainsAny(name, "*%") {
		c.fail(path, "%s contains * or %%, which IMAP reads as wildcards", c.d.show(path, name))
	}
}

// serverName checks a name to verify a certificate against: a host name
// or an IP address, without port.
func (c checker) serverName(path, name string) {
	if name != "" && net.ParseIP(name) == nil && !hostRE.MatchString(name) {
		c.fail(path, "%s is not a host name or IP address", c.d.show(path, name))
	}
}

func (c checker) caFile(path, file string) {
	if file == "" {
		return
	}
	// Stat first, as for secret files: opening a FIFO waits for a writer,
	// and no stop can interrupt that wait.
	if fi, err := os.Stat(file); err == nil && !fi.Mode().IsRegular() {
		c.fail(path, "%s is not a regular file", file)
		return
	}
	data, err := readBounded(file, maxCAFileBytes)
	if tl := (*tooLargeError)(nil); errors.As(err, &tl) {
		c.fail(path, "%v", err)
		return
	}
	if err != nil {
		c.fail(path, "read CA file: %v", err)
		return
	}
	if !x509.NewCertPool().AppendCertsFromPEM(data) {
		c.fail(path, "%s holds no PEM certificate", file)
	}
}

func (c checker) httpURL(path, value string) (*url.URL, bool) {
	if !c.required(path, value) {
		return nil, false
	}
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.fail(path, "%s is not an http(s) URL", c.d.show(path, value))
		return nil, false
	}
	return u, true
}

// cleartext reports whether a credential sent to u would cross the network
// unencrypted: plain http to anything but this machine (netguard's rule,
// the same as for IMAP and SMTP logins).
func cleartext(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, "http") && !netguard.IsLoopback(u.Hostname())
}

var (
	officerID = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,31}$`)
	prefixRE  = regexp.MustCompile(`^[A-Za-z]{2,10}$`)
	helloRE   = regexp.MustCompile(`^([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+$|^\[[0-9A-Fa-f:.]+\]$`)
	hostRE    = regexp.MustCompile(`^([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+$`)
)

func validate(d *decoder, cfg *Config) {
	c := checker{d}
	c.email("mailbox.address", cfg.Mailbox.Address)

	if !d.present("imap") {
		c.fail("imap", "required section is missing")
	} else {
		validateIMAP(c, &cfg.IMAP)
	}
	if !d.present("smtp") {
		c.fail("smtp", "required section is missing")
	} else {
		validateSMTP(c, &cfg.SMTP)
	}

	c.oneOf("store.driver", cfg.Store.Driver, DriverSQLite, DriverPostgres)
	if cfg.Store.Driver == DriverPostgres && !d.present("store.dsn") {
		// The default DSN is SQLite's file name.
		c.fail("store.dsn", "required when store.driver is postgres (e.g. host=db.example dbname=sportel user=sportel)")
	}
	c.required("store.dsn", cfg.Store.DSN)
	if cfg.Store.Driver == DriverPostgres && cfg.Store.DSN != "" {
		// Not the driver's error: it may quote the DSN, password and all.
		if _, err := pgconn.ParseConfig(cfg.Store.DSN); err != nil {
			c.fail("store.dsn", "PostgreSQL's driver cannot read it: check its key=value pairs or URL (host, port, sslmode and the like); see libpq's connection strings")
		}
	}
	c.oneOf("store.synchronous", cfg.Store.Synchronous, "normal", "full")

	validateClassifier(c, &cfg.Classifier)
	validateOfficers(c, cfg.Officers, cfg.Mailbox.Address)
	validateRouting(c, cfg)
	validateTickets(c, &cfg.Tickets)
	validateLifecycle(c, cfg)
	validateOutbox(c, cfg)

	for _, s := range []struct {
		path string
		n    int64
	}{
		{"mail.max_attachment_bytes", cfg.Mail.MaxAttachmentBytes},
		{"mail.max_raw_bytes", cfg.Mail.MaxRawBytes},
		{"mail.notify_attachments_max_bytes", cfg.Mail.NotifyAttachmentsMaxBytes},
	} {
		if s.n < 1 || s.n > GiB {
			c.fail(s.path, "must be between 1 byte and 1GiB")
		}
	}

	if id := cfg.Mail.TrustedAuthservID; id != "" && (len(id) > 253 || !hostRE.MatchString(id)) {
		// Compared with the first word of each Authentication-Results
		// header: a host name, as servers write it.
		c.fail("mail.trusted_authserv_id", "%s is not a host name; write the name the receiving server puts first in its Authentication-Results header (like mx.mkrs.example)",
			c.d.show("mail.trusted_authserv_id", id))
	}

	if cfg.Telegram != nil {
		validateTelegram(c, cfg.Telegram)
	}
	c.oneOf("log.level", cfg.Log.Level, "debug", "info", "warn", "error")
	c.oneOf("log.format", cfg.Log.Format, "text", "json")
	if cfg.Metrics.Listen != "" {
		c.hostPort("metrics.listen", cfg.Metrics.Listen, false)
	}
	validateWeb(c, &cfg.Web)
}

func validateIMAP(c checker, m *IMAPConfig) {
	host, hostOK := c.hostPort("imap.addr", m.Addr, true)
	c.oneOf("imap.security", string(m.Security), "tls", "starttls", "none")
	c.required("imap.username", m.Username)
	if validateAuth(c, "imap", m.OAuth2(), m.Password, m.PasswordFile) == AuthPassword &&
		m.PasswordFile == "" && !c.d.unchecked["imap.password"] && !c.d.hasError("imap.password_file") {
		// A password_file that could not be expanded is its own error:
		// "password: required" beside it would send the reader astray.
		c.required("imap.password", string(m.Password))
	}
	if m.Security == SecurityNone && hostOK && !netguard.IsLoopback(host) {
		c.fail("imap.security", "none would send the %s in clear text to %s; use tls or starttls (none is only for loopback)", credential(m.Auth), host)
	}
	boxes := map[string]string{}
	for _, b := range []struct{ path, name string }{
		{"imap.mailbox", m.Mailbox},
		{"imap.processed_mailbox", m.ProcessedMailbox},
		{"imap.quarantine_mailbox", m.QuarantineMailbox},
	} {
		if !c.required(b.path, b.name) {
			continue
		}
		c.mailboxName(b.path, b.name)
		if other, dup := boxes[b.name]; dup {
			c.fail(b.path, "must differ from %s", other)
		}
		boxes[b.name] = b.path
	}
	c.oneOf("imap.first_start", m.FirstStart, FirstStartAll, FirstStartNew)
	if m.PollInterval < time.Second {
		c.fail("imap.poll_interval", "must be at least 1s")
	}
	// Servers may drop an IDLE after 30 minutes (RFC 2177), and go-imap
	// restarts its own at 28.
	if m.IdleRestart <= 0 || m.IdleRestart > 29*time.Minute {
		c.fail("imap.idle_restart", "must be longer than 0s and at most 29m")
	}
	c.positive("imap.dial_timeout", m.DialTimeout)
	c.positive("imap.command_timeout", m.CommandTimeout)
	c.intRange("imap.batch_size", m.BatchSize, 1, 10000)
	c.caFile("imap.ca_file", m.CAFile)
	c.serverName("imap.tls_server_name", m.TLSServerName)
}

func validateSMTP(c checker, m *SMTPConfig) {
	host, hostOK := c.hostPort("smtp.addr", m.Addr, true)
	c.oneOf("smtp.security", string(m.Security), "tls", "starttls", "none")
	// An internal relay without login may be reached in clear text;
	// credentials may not leave the host that way.
	if m.Security == SecurityNone && m.Username != "" && hostOK && !netguard.IsLoopback(host) {
		c.fail("smtp.security", "none would send the %s in clear text to %s; use tls or starttls, or no username (none with a login is only for loopback)", credential(m.Auth), host)
	}
	if validateAuth(c, "smtp", m.OAuth2(), m.Password, m.PasswordFile) == AuthPassword {
		if m.Username != "" && !m.Password.IsSet() && !c.d.unchecked["smtp.password"] && !c.d.hasError("smtp.password_file") {
			c.fail("smtp.password", "required when smtp.username is set")
		}
		if m.Username == "" && (m.Password.IsSet() || m.PasswordFile != "") {
			// Without a name the relay cannot be logged in to: the mailer
			// would refuse to start, naming no key.
			c.fail("smtp.username", "required when smtp.password or smtp.password_file is set")
		}
	} else if m.Username == "" {
		c.fail("smtp.username", "required with smtp.auth %s (the mailbox the token belongs to)", m.Auth)
	}
	c.positive("smtp.dial_timeout", m.DialTimeout)
	c.positive("smtp.command_timeout", m.CommandTimeout)
	c.positive("smtp.submission_timeout", m.SubmissionTimeout)
	c.caFile("smtp.ca_file", m.CAFile)
	c.serverName("smtp.tls_server_name", m.TLSServerName)
	if m.HelloName != "" && !helloRE.MatchString(m.HelloName) {
		c.fail("smtp.hello_name", "%s is not a host name", c.d.show("smtp.hello_name", m.HelloName))
	}
}

// validateAuth checks section.auth and the keys that go with it, and
// returns the mechanism ("" when it is unknown).
func validateAuth(c checker, section string, o OAuth2Auth, password Secret, passwordFile string) string {
	key := func(k string) string { return section + "." + k }
	switch o.Auth {
	case AuthPassword:
		for _, k := range []struct {
			name string
			set  bool
		}{
			{"oauth2_token_file", o.TokenFile != ""},
			{"oauth2_token_command", len(o.TokenCommand) > 0},
		} {
			if k.set {
				c.fail(key(k.name), "only used with %s xoauth2 or oauthbearer (%s is password)", key("auth"), key("auth"))
			}
		}
		return AuthPassword
	case AuthXOAUTH2, AuthOAuthBearer:
	default:
		c.fail(key("auth"), "%s is not one of password, xoauth2, oauthbearer", c.d.show(key("auth"), o.Auth))
		return ""
	}
	if passwordFile != "" {
		c.fail(key("password_file"), "not used with %s %s (the login takes an access token); remove it", key("auth"), o.Auth)
	} else if password.IsSet() {
		c.fail(key("password"), "not used with %s %s (the login takes an access token); remove it", key("auth"), o.Auth)
	}
	switch {
	case c.d.unchecked[key("oauth2_token")]:
		// Left unexpanded for a command that does not log in.
	case o.TokenFile == "" && len(o.TokenCommand) == 0:
		c.fail(key("auth"), "%s needs %s or %s to get the access token", o.Auth, key("oauth2_token_file"), key("oauth2_token_command"))
	case o.TokenFile != "" && len(o.TokenCommand) > 0:
		c.fail(key("oauth2_token_command"), "set %s or %s, not both", key("oauth2_token_file"), key("oauth2_token_command"))
	case len(o.TokenCommand) > 0 && strings.TrimSpace(o.TokenCommand[0]) == "":
		c.fail(key("oauth2_token_command"), "the first item must be the program to run")
	case len(o.TokenCommand) == 1 && strings.ContainsAny(o.TokenCommand[0], " \t"):
		// Run without a shell, "a b" is one program named "a b".
		c.fail(key("oauth2_token_command"), "is run without a shell: write the program and each argument as items of a list, e.g. [/usr/local/bin/token, --user, NAME]")
	}
	c.positive(key("oauth2_token_timeout"), o.TokenTimeout)
	return o.Auth
}

// credential names what a login sends, for messages.
func credential(auth string) string {
	if auth == AuthXOAUTH2 || auth == AuthOAuthBearer {
		return "access token"
	}
	return "password"
}

func validateClassifier(c checker, k *ClassifierConfig) {
	c.oneOf("classifier.kind", k.Kind, ClassifierBuiltin, ClassifierOpenAI)
	if k.OpenAI == nil {
		if k.Kind == ClassifierOpenAI {
			c.fail("classifier.openai", "required when classifier.kind is openai")
		}
		return
	}
	o := k.OpenAI
	if u, ok := c.httpURL("classifier.openai.base_url", o.BaseURL); ok {
		switch {
		case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
			// The client appends /chat/completions after the query, and a
			// key in it would be in every transport error logged; the
			// message does not repeat the URL for the same reason.
			c.fail("classifier.openai.base_url", "must not have a query or fragment (the client adds /chat/completions to the URL's end); a key goes in api_key")
		case o.APIKey.IsSet() && cleartext(u):
			c.fail("classifier.openai.base_url", "http would send api_key in clear text to %s; use https (http with a key is only for loopback)", u.Hostname())
		}
	}
	c.required("classifier.openai.model", o.Model)
	c.positive("classifier.openai.timeout", o.Timeout)
}

func validateOfficers(c checker, officers []inquiry.Officer, mailbox string) {
	if len(officers) == 0 {
		// An officers list whose every entry was rejected is already reported.
		if !hasPrefix(c.d.errs, "officers") {
			c.fail("officers", "at least one officer is required")
		}
		return
	}
	ids := map[string]int{}
	tgIDs := map[int64]int{}
	// Officers are found by address, case aside (sign-in links, emailed
	// commands and answers): the first of two officers with one address
	// would take the other's, and mail to the public mailbox comes back
	// to Sportel instead of reaching anyone.
	emails := map[string]int{}
	for i, o := range officers {
		p := fmt.Sprintf("officers[%d]", i)
		if c.required(p+".id", o.ID) {
			if !officerID.MatchString(o.ID) {
				c.fail(p+".id", "%s must be 1–32 lower-case letters, digits, '.', '_' or '-'", c.d.show(p+".id", o.ID))
			}
			if first, dup := ids[o.ID]; dup {
				c.fail(p+".id", "duplicate id %q (also officers[%d])", o.ID, first)
			} else {
				ids[o.ID] = i
			}
		}
		c.required(p+".name", o.Name)
		c.email(p+".email", o.Email)
		if key := strings.ToLower(o.Email); isEmail(o.Email) {
			if first, dup := emails[key]; dup {
				c.fail(p+".email", "same address as officers[%d]", first)
			} else if strings.EqualFold(o.Email, mailbox) {
				c.fail(p+".email", "is the public mailbox (mailbox.address): notices to it would come back as mail and never reach the officer")
			} else {
				emails[key] = i
			}
		}
		if o.Role != "" {
			c.oneOf(p+".role", string(o.Role), string(inquiry.RoleOfficer), string(inquiry.RoleHead))
		}
		if o.Language != "" {
			c.oneOf(p+".language", string(o.Language), officerLanguages()...)
		}
		if o.TelegramUserID < 0 {
			c.fail(p+".telegram_user_id", "a Telegram user id is a positive number")
		} else if o.TelegramUserID > 0 {
			if first, dup := tgIDs[o.TelegramUserID]; dup {
				c.fail(p+".telegram_user_id", "same Telegram user as officers[%d]", first)
			} else {
				tgIDs[o.TelegramUserID] = i
			}
		}
	}
}

func hasPrefix(errs Errors, prefix string) bool {
	for _, e := range errs {
		if strings.HasPrefix(e.Path, prefix) {
			return true
		}
	}
	return false
}

func validateRouting(c checker, cfg *Config) {
	rules := cfg.Routing
	if len(rules) == 0 {
		if !hasPrefix(c.d.errs, "routing") {
			c.fail("routing", "at least one rule is required")
		}
		return
	}
	var channels []string
	for _, ch := range []inquiry.Channel{inquiry.ChannelEmail, inquiry.ChannelTelegram} {
		channels = append(channels, string(ch))
	}
	for i, r := range rules {
		p := fmt.Sprintf("routing[%d]", i)
		if m := r.Match; m.Category != "" && !inquiry.Category(m.Category).Valid() {
			c.oneOf(p+".match.category", m.Category, categoryNames()...)
		}
		if m := r.Match; m.Channel != "" {
			c.oneOf(p+".match.channel", m.Channel, channels...)
		}
		if m := r.Match; m.Language != "" && !inquiry.Language(m.Language).Valid() {
			c.oneOf(p+".match.language", m.Language, languageNames()...)
		}
		if c.required(p+".officer", r.Officer) {
			if _, ok := cfg.Officer(r.Officer); !ok {
				c.fail(p+".officer", "unknown officer %q", r.Officer)
			}
		}
		if r.IsCatchAll() && i < len(rules)-1 {
			c.fail(p, "a catch-all (no match) must be the last rule; the rules after it could never match")
		}
	}
	if !rules[len(rules)-1].IsCatchAll() {
		c.fail("routing", "the last rule must be a catch-all (no match) so every ticket has an officer")
	}
}

func categoryNames() []string {
	var out []string
	for _, k := range inquiry.Categories {
		out = append(out, string(k))
	}
	return out
}

func languageNames() []string {
	var out []string
	for _, l := range inquiry.Languages {
		out = append(out, string(l))
	}
	return append(out, string(inquiry.UndefinedLang))
}

func validateTickets(c checker, t *TicketsConfig) {
	if !prefixRE.MatchString(t.Prefix) {
		c.fail("tickets.prefix", "must be 2–10 ASCII letters, not %s", c.d.show("tickets.prefix", t.Prefix))
	}
	// Numbers are written, typed and looked up in capitals: "mkrs" numbers
	// its tickets MKRS-2026-000001 (the command line upper-cases what it is
	// given, and a lower-case prefix made every ticket unreachable there).
	t.Prefix = strings.ToUpper(t.Prefix)
	switch t.Timezone {
	case "":
		c.fail("tickets.timezone", "required")
	case "Local":
		c.fail("tickets.timezone", "name a zone such as Europe/Belgrade; Local depends on the host")
	default:
		loc, err := time.LoadLocation(t.Timezone)
		if err != nil {
			c.fail("tickets.timezone", "unknown time zone %s", c.d.show("tickets.timezone", t.Timezone))
		}
		t.Location = loc
	}
	c.intRange("tickets.document_request_deadline_days", t.DocumentRequestDeadlineDays, 1, 365)
	validateDeadline(c, t)
	c.intRange("tickets.reopen_days", t.ReopenDays, 0, 3650)
	if t.ReviewThreshold < 0 || t.ReviewThreshold > 1 {
		c.fail("tickets.review_threshold", "must be between 0 and 1")
	}
	if t.TemplatesDir != "" {
		if st, err := os.Stat(t.TemplatesDir); err != nil {
			c.fail("tickets.templates_dir", "%v", err)
		} else if !st.IsDir() {
			c.fail("tickets.templates_dir", "%s is not a directory", t.TemplatesDir)
		}
	}
	if t.NotifyQuiet < 0 || t.NotifyQuiet > 24*time.Hour {
		c.fail("tickets.notify_quiet", "must be between 0 (off) and 24h, not %s", t.NotifyQuiet)
	}
	validateSchedule(c, t)
	c.intRange("tickets.ack_limit.per_10_minutes", t.AckLimit.Per10Minutes, 1, 1000)
	c.intRange("tickets.ack_limit.per_day", t.AckLimit.PerDay, 1, 10000)
	if t.AckLimit.PerDay < t.AckLimit.Per10Minutes {
		c.fail("tickets.ack_limit.per_day", "must be at least per_10_minutes (%d)", t.AckLimit.Per10Minutes)
	}
}

func validateOutbox(c checker, cfg *Config) {
	o := cfg.Outbox
	c.intRange("outbox.workers", o.Workers, 1, 64)
	c.intRange("outbox.max_attempts", o.MaxAttempts, 1, 100)
	c.intRange("outbox.acknowledgements_per_hour", o.AcknowledgementsPerHour, 0, 1000000)
	c.positive("outbox.backoff_min", o.BackoffMin)
	if o.BackoffMax < o.BackoffMin {
		c.fail("outbox.backoff_max", "must be at least backoff_min (%s)", o.BackoffMin)
	}
	// The lease is renewed every third of it while a job is held; shorter
	// than a few seconds, a busy store could miss a renewal.
	if o.Lease < minOutboxLease {
		c.fail("outbox.lease", "must be at least %s (it is renewed while a send runs, so it need not cover one)", minOutboxLease)
	}
}

// minOutboxLease matches outbox.MinLease (config imports no runtime package).
const minOutboxLease = 3 * time.Second

// maxFileTimeout is the longest telegram.file_timeout: the update loop
// waits that long for a file before the messages behind it.
const maxFileTimeout = 5 * time.Minute

func validateTelegram(c checker, t *TelegramConfig) {
	if t.TokenFile == "" && !c.d.unchecked["telegram.token"] {
		c.required("telegram.token", string(t.Token))
	}
	// The Bot API carries the token in every request's path.
	u, ok := c.httpURL("telegram.api_url", t.APIURL)
	if ok && cleartext(u) {
		c.fail("telegram.api_url", "http would send the bot token in clear text to %s; use https (http is only for loopback)", u.Hostname())
	}
	c.positive("telegram.join_window", t.JoinWindow)
	if t.PollTimeout < time.Second || t.PollTimeout > 5*time.Minute {
		c.fail("telegram.poll_timeout", "must be between 1s and 5m")
	}
	// Every update with a file waits for it, the chats behind it too.
	if t.FileTimeout <= 0 || t.FileTimeout > maxFileTimeout {
		c.fail("telegram.file_timeout", "must be longer than 0s and at most %s", maxFileTimeout)
	}
	switch {
	case t.MaxUploadBytes <= 0 || t.MaxUploadBytes > MaxLocalUploadLimit:
		c.fail("telegram.max_upload_bytes", "must be more than 0 and at most 2000MB, what a local Bot API server takes (Telegram's own takes 50MB)")
	case ok && strings.EqualFold(u.Hostname(), "api.telegram.org") && t.MaxUploadBytes > TelegramUploadLimit:
		// Telegram would refuse each such file after the answer's text went.
		c.fail("telegram.max_upload_bytes", "Telegram's own Bot API (telegram.api_url %s) takes at most 50MB from a bot; more needs a local Bot API server", t.APIURL)
	}
	c.intRange("telegram.flood.messages", t.Flood.Messages, 1, 10000)
	c.positive("telegram.flood.per", t.Flood.Per)
}
