package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"sportel/app"
	"sportel/config"
	"sportel/inbox"
	"sportel/internal/connhint"
	"sportel/mailauth"
	"sportel/mailer"
)

// checkTimeout bounds the whole of check-config --connect; each step has
// the configured dial and command timeouts besides.
const checkTimeout = 2 * time.Minute

// checkConnections logs in to the configured IMAP and SMTP servers and
// prints what they said; it reports whether both were fine.
func checkConnections(ctx context.Context, cfg *config.Config, e *env) bool {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	// What the probes log is in the report already; only trouble is shown.
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	imapRep, imapErr := app.CheckIMAP(ctx, cfg, log)
	printIMAP(e.stdout, cfg.IMAP, imapRep, app.CheckFirstStart(ctx, cfg, imapRep), imapErr)
	fmt.Fprintln(e.stdout)
	smtpRep, smtpErr := app.CheckSMTP(ctx, cfg, log)
	printSMTP(e.stdout, cfg.SMTP, smtpRep, smtpErr)
	fmt.Fprintln(e.stdout)
	answer, asked, llmErr := app.CheckLLM(ctx, cfg, log)
	if asked {
		printLLM(e.stdout, cfg.Classifier.OpenAI, answer, llmErr)
		fmt.Fprintln(e.stdout)
	}
	var failed []string
	for _, f := range []struct {
		what string
		err  error
	}{{"imap", imapErr}, {"smtp", smtpErr}, {"llm", llmErr}} {
		if f.err != nil {
			failed = append(failed, f.what)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(e.stderr, "connection check FAILED: %s (see above)\n", strings.Join(failed, ", "))
		return false
	}
	fmt.Fprintln(e.stdout, "connection check: OK")
	return true
}

func printIMAP(w io.Writer, c config.IMAPConfig, rep *inbox.ProbeReport, first *app.FirstStartReport, err error) {
	fmt.Fprintf(w, "IMAP %s (%s)\n", c.Addr, c.Security)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(key, format string, args ...any) {
		fmt.Fprintf(tw, "  %s\t%s\n", key, fmt.Sprintf(format, args...))
	}
	if rep != nil {
		if rep.Greeting != "" {
			row("greeting", "%s", rep.Greeting)
		}
		if c.Security != config.SecurityNone && rep.TLS != nil {
			row("tls", "%s", describeTLS(rep.TLS, serverName(c.Addr, c.TLSServerName)))
		}
		if rep.LoggedIn {
			row("login", "%s%s: OK", c.Username, loginKind(c.OAuth2()))
			row("capabilities", "%s", strings.Join(rep.Caps, " "))
			delim := "none (no levels)"
			if rep.Hierarchy.Delim != 0 {
				delim = fmt.Sprintf("%q", string(rep.Hierarchy.Delim))
			}
			row("separator", "%s", delim)
			row("namespace", "%q", rep.Hierarchy.Prefix)
		}
		for _, m := range rep.Mailboxes {
			state := fmt.Sprintf("%d messages", m.Messages)
			if m.Created {
				state = "created (run would have)"
			}
			row(m.Role, "%s → %s: %s", m.Configured, m.Name, state)
		}
		if first != nil {
			row("first start", "%s", first)
		}
	}
	if err != nil {
		row("FAILED", "%v", err)
		if h := hint(err, "imap"); h != "" {
			row("hint", "%s", h)
		}
	}
	tw.Flush()
}

func printSMTP(w io.Writer, c config.SMTPConfig, rep *mailer.ProbeReport, err error) {
	fmt.Fprintf(w, "SMTP %s (%s)\n", c.Addr, c.Security)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(key, format string, args ...any) {
		fmt.Fprintf(tw, "  %s\t%s\n", key, fmt.Sprintf(format, args...))
	}
	if rep != nil {
		if len(rep.Greeting) > 0 {
			row("greeting", "%s", strings.Join(rep.Greeting, " / "))
		}
		if rep.TLS != nil {
			row("tls", "%s", describeTLS(rep.TLS, serverName(c.Addr, c.TLSServerName)))
		}
		if rep.Hello != "" {
			row("ehlo", "%s", rep.Hello)
			row("extensions", "%s", strings.Join(rep.Extensions, ", "))
		}
		if rep.LoggedIn {
			row("login", "%s%s: OK", c.Username, loginKind(c.OAuth2()))
		} else if err == nil {
			row("login", "none (no smtp.username)")
		}
	}
	if err != nil {
		row("FAILED", "%v", err)
		if h := hint(err, "smtp"); h != "" {
			row("hint", "%s", h)
		}
	}
	tw.Flush()
}

// printLLM reports the LLM endpoint's answer to one sample inquiry.
func printLLM(w io.Writer, c *config.OpenAIConfig, answer string, err error) {
	where := c.BaseURL
	if u, perr := url.Parse(c.BaseURL); perr == nil {
		where = u.Redacted()
	}
	fmt.Fprintf(w, "LLM %s at %s\n", c.Model, where)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if err != nil {
		fmt.Fprintf(tw, "  FAILED\t%v\n", err)
	} else {
		fmt.Fprintf(tw, "  answer\t%s\n", answer)
	}
	tw.Flush()
}

// serverName is the name a certificate is verified against.
func serverName(addr, configured string) string {
	if configured != "" {
		return configured
	}
	host, _, _ := net.SplitHostPort(addr)
	return host
}

// describeTLS says what was agreed and whom the certificate is for.
func describeTLS(cs *tls.ConnectionState, name string) string {
	s := tls.VersionName(cs.Version)
	if len(cs.PeerCertificates) == 0 {
		return s
	}
	leaf := cs.PeerCertificates[0]
	names := append([]string(nil), leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	s += fmt.Sprintf(", certificate verified for %s (it names %s), issued by %s, valid until %s",
		name, strings.Join(names, ", "), leaf.Issuer.CommonName, leaf.NotAfter.Format(time.DateOnly))
	if left := time.Until(leaf.NotAfter); left < 30*24*time.Hour {
		s += fmt.Sprintf(" (expires in %d days)", int(left.Hours()/24))
	}
	return s
}

// loginKind names a token login's mechanism for the login row.
func loginKind(o config.OAuth2Auth) string {
	if o.UsesToken() {
		return " (" + mailauth.WireName(o.Auth) + " token)"
	}
	return ""
}

// hint says which setting to look at for a failure it recognises: a
// mailbox the server refused, or what sportel run would log too.
func hint(err error, section string) string {
	if h := mailboxHint(err); h != "" {
		return h
	}
	return connhint.For(err, section)
}

// mailboxHint names the setting of a mailbox the server refused, or is ""
// for any other error.
func mailboxHint(err error) string {
	mbErr, ok := errors.AsType[*inbox.MailboxError](err)
	if !ok {
		return ""
	}
	key := map[string]string{"watched": "imap.mailbox", "processed": "imap.processed_mailbox", "quarantine": "imap.quarantine_mailbox"}[mbErr.Role]
	return fmt.Sprintf("set %s to a mailbox this server accepts, levels separated by /", key)
}
