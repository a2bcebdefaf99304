package config

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"sportel/inquiry"
)

// Summary writes what check-config shows: where mail comes from and goes
// to, who the officers are and how tickets are routed. Secrets appear only
// as "set", "empty" or "not checked".
func (c *Config) Summary(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(key, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", key, fmt.Sprintf(format, args...))
	}

	row("mailbox", "%s", c.Mailbox.From())
	row("imap", "%s (%s), user %s, %s", c.IMAP.Addr, c.IMAP.Security, c.IMAP.Username, loginSummary(c.IMAP.OAuth2(), c.secretState("imap.password", c.IMAP.Password)))
	row("", "reads %s, moves to %s, quarantine %s", c.IMAP.Mailbox, c.IMAP.ProcessedMailbox, c.IMAP.QuarantineMailbox)
	row("", "poll %s, idle restart %s, batch %d, CA %s", c.IMAP.PollInterval, c.IMAP.IdleRestart, c.IMAP.BatchSize, orDefault(c.IMAP.CAFile, "system roots"))
	if c.SMTP.Username == "" {
		row("smtp", "%s (%s), no login", c.SMTP.Addr, c.SMTP.Security)
	} else {
		row("smtp", "%s (%s), user %s, %s", c.SMTP.Addr, c.SMTP.Security, c.SMTP.Username, loginSummary(c.SMTP.OAuth2(), c.secretState("smtp.password", c.SMTP.Password)))
	}
	if c.Store.Driver == DriverPostgres {
		// The server's synchronous_commit decides; the setting is SQLite's.
		row("store", "%s %s", c.Store.Driver, redactDSN(c.Store.DSN))
	} else {
		row("store", "%s %s (synchronous %s)", c.Store.Driver, redactDSN(c.Store.DSN), c.Store.Synchronous)
	}
	if o := c.Classifier.OpenAI; c.Classifier.Kind == ClassifierOpenAI && o != nil {
		row("classifier", "openai %s at %s, api key %s, timeout %s, redact %t", o.Model, redactDSN(o.BaseURL), c.secretState("classifier.openai.api_key", o.APIKey), o.Timeout, o.Redact)
	} else {
		row("classifier", "%s", c.Classifier.Kind)
	}
	if t := c.Telegram; t != nil {
		row("telegram", "on, %s, token %s, discussion chat %s, officers chat %s", t.APIURL, c.secretState("telegram.token", t.Token), chatID(t.DiscussionChatID), chatID(t.OfficersChatID))
		row("", "join window %s, poll timeout %s, file timeout %s, files to chats up to %s, flood limit %d per %s", t.JoinWindow, t.PollTimeout, t.FileTimeout, formatSize(t.MaxUploadBytes), t.Flood.Messages, t.Flood.Per)
	} else {
		row("telegram", "off (email only)")
	}
	t := c.Tickets
	row("tickets", "numbers like %s, time zone %s", inquiry.FormatNumber(t.Prefix, time.Now().In(t.Location).Year(), 42), t.Timezone)
	row("", "document requests due in %d %s days, replies reopen within %d days, review below confidence %.2f", t.DocumentRequestDeadlineDays, t.DeadlineCount, t.ReopenDays, t.ReviewThreshold)
	row("", "acknowledgements per sender: %d per 10 minutes, %d per day; templates %s", t.AckLimit.Per10Minutes, t.AckLimit.PerDay, orDefault(t.TemplatesDir, "built-in"))
	row("", "officers' notifications: further messages on a ticket within %s coalesced into one digest", t.NotifyQuiet)
	row("", "%s", c.scheduleSummary())
	row("outbox", "%d workers, %d attempts, backoff %s–%s, lease %s, %s", c.Outbox.Workers, c.Outbox.MaxAttempts, c.Outbox.BackoffMin, c.Outbox.BackoffMax, c.Outbox.Lease, ackCap(c.Outbox.AcknowledgementsPerHour))
	row("mail", "attachments up to %s, raw messages up to %s, attachments to officers up to %s", formatSize(c.Mail.MaxAttachmentBytes), formatSize(c.Mail.MaxRawBytes), formatSize(c.Mail.NotifyAttachmentsMaxBytes))
	if id := c.Mail.TrustedAuthservID; id != "" {
		row("", "officers' forwards believed when %s vouches for the sender (Authentication-Results)", id)
	} else {
		row("", "officers' forwards not believed (no mail.trusted_authserv_id): filed as the officer's own mail")
	}
	row("log", "%s, %s", c.Log.Level, c.Log.Format)
	row("metrics", "%s", orDefault(c.Metrics.Listen, "off"))
	row("web", "%s", c.Web.webSummary())
	tw.Flush()

	fmt.Fprintf(w, "\nofficers (%d):\n", len(c.Officers))
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, o := range c.Officers {
		tg := "no telegram"
		if o.TelegramUserID != 0 {
			tg = fmt.Sprintf("telegram %d", o.TelegramUserID)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", o.ID, o.Name, o.Title, o.Email, tg)
	}
	tw.Flush()

	fmt.Fprintf(w, "\nrouting (first match wins):\n")
	for i, r := range c.Routing {
		fmt.Fprintf(w, "  %d. %s\n", i+1, c.describeRule(r))
	}
}

// describeRule renders a rule like "category=document_request → jusuf
// (Jusuf Lushaku)".
func (c *Config) describeRule(r RouteRule) string {
	var conds []string
	for _, kv := range [][2]string{{"category", r.Match.Category}, {"channel", r.Match.Channel}, {"language", r.Match.Language}} {
		if kv[1] != "" {
			conds = append(conds, kv[0]+"="+kv[1])
		}
	}
	match := "everything else"
	if len(conds) > 0 {
		match = strings.Join(conds, ", ")
	}
	officer := r.Officer
	if o, ok := c.Officer(r.Officer); ok {
		officer = fmt.Sprintf("%s (%s)", o.ID, o.Name)
	}
	return match + " → " + officer
}

// loginSummary says how a section logs in; of a token command only the
// program is shown, as its arguments may hold a client secret.
func loginSummary(o OAuth2Auth, password string) string {
	switch {
	case !o.UsesToken():
		return "password " + password
	case o.TokenFile != "":
		return fmt.Sprintf("%s, token from file %s", o.Auth, o.TokenFile)
	case len(o.TokenCommand) > 0:
		return fmt.Sprintf("%s, token from command %s (timeout %s)", o.Auth, o.TokenCommand[0], o.TokenTimeout)
	}
	return o.Auth
}

// secretState is "set" or "empty", or "not checked" for a secret this user
// could not read (its value is unknown, not empty).
func (c *Config) secretState(key string, s Secret) string {
	if slices.Contains(c.UncheckedSecrets, key) {
		return "not checked"
	}
	if s.IsSet() {
		return "set"
	}
	return "empty"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func chatID(id int64) string {
	if id == 0 {
		return "unset"
	}
	return fmt.Sprint(id)
}

// dsnPassword is a key=value DSN's password: quoted (with \' and \\
// escapes inside, as libpq reads them) or up to the next space.
var dsnPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'?|\S+)`)

// urlQueryPassword is a password given as a URL DSN's query parameter.
var urlQueryPassword = regexp.MustCompile(`(?i)([?&]password=)[^&#]*`)

// redactDSN hides a password in a URL or key=value DSN (PostgreSQL). A URL
// is not left to url.Parse: a password with a raw #, ? or / in it does
// not parse, and would be printed whole.
func redactDSN(dsn string) string {
	if scheme, rest, ok := strings.Cut(dsn, "://"); ok {
		// The user information ends at the last @: a password may hold one.
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if user, _, hasPassword := strings.Cut(rest[:at], ":"); hasPassword {
				rest = user + ":xxxxx" + rest[at:]
			}
		}
		// pgx also takes ?password=… in the query.
		return scheme + "://" + urlQueryPassword.ReplaceAllString(rest, "${1}xxxxx")
	}
	return dsnPassword.ReplaceAllString(dsn, "${1}xxxxx")
}

func formatSize(n int64) string {
	switch {
	case n >= GiB && n%GiB == 0:
		return fmt.Sprintf("%dGiB", n/GiB)
	case n >= MiB && n%MiB == 0:
		return fmt.Sprintf("%dMiB", n/MiB)
	case n >= KiB && n%KiB == 0:
		return fmt.Sprintf("%dKiB", n/KiB)
	case n >= 1000*1000 && n%(1000*1000) == 0:
		return fmt.Sprintf("%dMB", n/(1000*1000))
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dKB", n/1000)
	}
	return fmt.Sprintf("%d bytes", n)
}

func ackCap(perHour int) string {
	if perHour == 0 {
		return "acknowledgements not capped"
	}
	return fmt.Sprintf("at most %d acknowledgements an hour", perHour)
}
