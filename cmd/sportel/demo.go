package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-message/mail"

	"sportel/app"
	"sportel/config"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/store"
)

const demoConfig = `
mailbox:
  address: komunikimi@mkrs.example
  display_name: "Divizioni për Komunikim Publik"
imap:
  addr: %s
  security: none
  username: komunikimi@mkrs.example
  password: ${SPORTEL_DEMO_IMAP_PASSWORD}
  poll_interval: 1s
smtp:
  addr: %s
  security: none
store:
  driver: sqlite
  dsn: %s
officers:
  - id: osman
    name: "Osman D. Gashi"
    title: "Udhëheqës i Divizionit për Komunikim Publik"
    telegram_user_id: 7001
    email: osman.gashi@mkrs.example
    role: head
  - id: jusuf
    name: "Jusuf Lushaku"
    title: "Zyrtar i Lartë për Informim"
    telegram_user_id: 7002
    email: jusuf.lushaku@mkrs.example
  - id: zamira
    name: "Zamira Ahmeti"
    title: "Zyrtare për Informim dhe Monitorim"
    telegram_user_id: 7003
    email: zamira.ahmeti@mkrs.example
routing:
  - match: {category: document_request}
    officer: jusuf
  - match: {category: press_inquiry}
    officer: osman
  - officer: zamira
tickets:
  # The follow-up's digest goes out after a second, not the usual two
  # minutes, so the demo shows it.
  notify_quiet: 1s
  # The heads' daily digest would go out or not by the hour and weekday the
  # demo runs; off, every run sends the same.
  digest_hour: "off"
outbox:
  backoff_min: 1s
mail:
  # The receiving server whose Authentication-Results are believed about an
  # officer's forward: the demo's forward carries its header.
  trusted_authserv_id: mx.mkrs.example
log:
  level: warn
`

func cmdDemo(ctx context.Context, args []string, e *env) int {
	fs := newFlags("demo", commands()["demo"].summary, "", e)
	keep := fs.Bool("keep", false, "keep the demo's SQLite database and print its path")
	verbose := fs.Bool("v", false, "show Sportel's logs")
	webUI := fs.Bool("web", false, "then keep the store and servers up with the web workspace on a loopback port,\n"+
		"print a one-time sign-in link for the head of the division, and stop on Ctrl-C")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if strayArgs("demo", fs, 0, e) {
		return 2
	}
	if err := runDemoWith(ctx, e.stdout, demoOptions{keep: *keep, verbose: *verbose, web: *webUI}); err != nil {
		fmt.Fprintf(e.stderr, "sportel demo: %v\n", err)
		return 1
	}
	return 0
}

// demoOptions are the demo's flags.
type demoOptions struct {
	keep, verbose bool
	// web keeps the demo up with the web workspace until ctx ends.
	web bool
}

func runDemo(ctx context.Context, out io.Writer, keep, verbose bool) error {
	return runDemoWith(ctx, out, demoOptions{keep: keep, verbose: verbose})
}

func runDemoWith(ctx context.Context, out io.Writer, o demoOptions) error {
	keep, verbose := o.keep, o.verbose
	dir, err := os.MkdirTemp("", "sportel-demo-")
	if err != nil {
		return fmt.Errorf("make temporary directory: %w", err)
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	const password = "demo-only-password"
	imapSrv, err := devserver.StartIMAP("komunikimi@mkrs.example", password)
	if err != nil {
		return err
	}
	defer imapSrv.Close()
	smtpSrv, err := devserver.StartSMTP()
	if err != nil {
		return err
	}
	defer smtpSrv.Close()

	tg := devserver.StartTelegram("123456:demo-token", "dkp_demo_bot")
	defer tg.Close()
	for _, officer := range []int64{7001, 7002, 7003} {
		tg.MarkStarted(officer)
	}

	dbPath := filepath.Join(dir, "sportel.db")
	yaml := fmt.Sprintf(demoConfig, imapSrv.Addr, smtpSrv.Addr, dbPath) + fmt.Sprintf(demoTelegramConfig, tg.URL)
	cfg, err := config.Parse([]byte(yaml), func(name string) (string, bool) {
		switch name {
		case "SPORTEL_DEMO_IMAP_PASSWORD":
			return password, true
		case "SPORTEL_DEMO_TELEGRAM_TOKEN":
			return tg.Token, true
		}
		return "", false
	})
	if err != nil {
		return fmt.Errorf("demo configuration: %w", err)
	}
	logLevel := slog.LevelWarn
	if verbose {
		logLevel = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel}))
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	fmt.Fprintf(out, "Sportel demo: an in-memory IMAP server at %s, an SMTP server at %s, a fake Telegram Bot API at %s, a SQLite store in %s.\n", imapSrv.Addr, smtpSrv.Addr, tg.URL, dir)
	fmt.Fprintf(out, "Delivering %d sample messages to the public mailbox komunikimi@mkrs.example ...\n\n", len(demoInbox))
	start := time.Now()
	for i, m := range demoInbox {
		id := fmt.Sprintf("demo-%02d@citizens.example", i+1)
		if _, err := imapSrv.Append("INBOX", m.raw(id, start), start); err != nil {
			return err
		}
	}

	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := a.Run(runCtx); err != nil {
			errs <- err
		}
	}()
	defer func() { stop(); wg.Wait() }()

	if err := waitSettled(ctx, a.Store(), imapSrv, 60*time.Second); err != nil {
		return err
	}
	if err := printTickets(ctx, out, a.Store(), smtpSrv); err != nil {
		return err
	}

	// Part two: what comes back. An out-of-office reply to an
	// acknowledgement, a citizen's follow-up, and an officer answering from
	// their mail client.
	first, ok, err := a.Store().TicketByNumber(ctx, fmt.Sprintf("%s-%d-%06d", cfg.Tickets.Prefix, start.In(cfg.Tickets.Location).Year(), 1))
	if err != nil || !ok {
		return fmt.Errorf("find the first ticket: %v", err)
	}
	ack := findMail(smtpSrv, "ack", first.Number)
	notify := findMail(smtpSrv, "notify", first.Number)
	if ack == nil || notify == nil {
		return errors.New("the first ticket's acknowledgement or notification was not sent")
	}
	sent := len(smtpSrv.Mails())
	later := time.Now()
	replies := [][]byte{
		[]byte("From: Arben Krasniqi <arben.krasniqi@example.net>\r\nTo: komunikimi@mkrs.example\r\n" +
			"Subject: =?utf-8?q?Automatic_reply=3A_Re=3A_K=C3=ABrkes=C3=AB?=\r\nAuto-Submitted: auto-replied\r\n" +
			"Message-ID: <ooo-1@example.net>\r\nIn-Reply-To: <" + ack.messageID + ">\r\nDate: " + later.Format(time.RFC1123Z) + "\r\n\r\n" +
			"I am out of the office until Monday.\r\n"),
		[]byte("From: Arben Krasniqi <arben.krasniqi@example.net>\r\nTo: komunikimi@mkrs.example\r\n" +
			"Subject: Re: [" + first.Number + "]\r\nMessage-ID: <demo-followup@example.net>\r\nDate: " + later.Format(time.RFC1123Z) + "\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\n\r\nMë duhet edhe plani dinamik i punimeve, ju lutem.\r\n"),
		[]byte("From: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\r\nTo: komunikimi@mkrs.example\r\n" +
			"Subject: Re: " + notify.subject + "\r\nMessage-ID: <officer-answer-1@mkrs.example>\r\nIn-Reply-To: <" + notify.messageID + ">\r\n" +
			"Date: " + later.Format(time.RFC1123Z) + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			"I nderuar z. Krasniqi,\r\n\r\nJu dërgojmë kontratën e kërkuar si shtojcë brenda afatit ligjor.\r\n\r\nJusuf Lushaku\r\n\r\n" +
			"On " + later.Format("Mon, 2 Jan 2006") + ", Divizioni wrote:\r\n> Tiketë e re " + first.Number + "\r\n"),
	}
	for _, raw := range replies {
		if _, err := imapSrv.Append("INBOX", raw, later); err != nil {
			return err
		}
	}
	if err := waitSettled(ctx, a.Store(), imapSrv, 60*time.Second); err != nil {
		return err
	}
	if err := printAftermath(ctx, out, a.Store(), smtpSrv, first.Number, sent); err != nil {
		return err
	}
	if err := runForwardDemo(ctx, out, a.Store(), imapSrv, smtpSrv, time.Now()); err != nil {
		return err
	}
	if err := runTelegramDemo(ctx, out, tg, a.Store()); err != nil {
		return err
	}
	// The officers' notifications of the last chats may still be on their
	// way: count once every send that is due has gone.
	if err := waitSent(ctx, a.Store(), 30*time.Second); err != nil {
		return err
	}
	processed, _ := imapSrv.Count(cfg.IMAP.ProcessedMailbox)
	fmt.Fprintf(out, "\nDone in %s: %d mails read and moved to %s, %d mails sent by SMTP, %d Telegram messages sent.\n",
		time.Since(start).Round(time.Millisecond), processed, cfg.IMAP.ProcessedMailbox, len(smtpSrv.Mails()), len(tg.Calls("sendMessage")))
	if keep {
		fmt.Fprintf(out, "The store is kept at %s; try: sportel tickets list --db %s\n", dbPath, dbPath)
	}
	if o.web {
		if err := serveDemoWeb(ctx, runCtx, out, a, cfg, log); err != nil {
			return err
		}
	}
	stop()
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	return nil
}

// waitSettled waits until the mailbox is empty and no send is pending.
func waitSettled(ctx context.Context, st store.Reader, srv *devserver.IMAP, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		n, err := srv.Count("INBOX")
		if err != nil {
			return err
		}
		pending, err := st.ListJobs(ctx, inquiry.JobPending, 1)
		if err != nil {
			return err
		}
		if n == 0 && len(pending) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up after %s: %d messages still in INBOX, %d sends pending", limit, n, len(pending))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitSent waits until no job is pending that is due: sends scheduled for
// later (a digest after its quiet interval) do not count.
func waitSent(ctx context.Context, st store.Reader, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		pending, err := st.ListJobs(ctx, inquiry.JobPending, 1000)
		if err != nil {
			return err
		}
		now := time.Now()
		due := 0
		for _, j := range pending {
			if !j.NextAt.After(now) {
				due++
			}
		}
		if due == 0 {
			return nil
		}
		if now.After(deadline) {
			return fmt.Errorf("gave up after %s: %d sends still due", limit, due)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// capturedMail is a sent mail as the SMTP server received it.
type capturedMail struct {
	to, subject, messageID, ticket, kind, body string
}

func readCaptured(m devserver.Mail) (capturedMail, error) {
	r, err := mail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		return capturedMail{}, err
	}
	var c capturedMail
	c.to = strings.Join(m.To, ", ")
	c.subject, _ = r.Header.Subject()
	c.messageID, _ = r.Header.MessageID()
	c.ticket = r.Header.Get("X-Sportel-Ticket")
	switch {
	case strings.HasPrefix(c.messageID, "sportel.ack."):
		c.kind = "ack"
	case strings.HasPrefix(c.messageID, "sportel.notify."):
		c.kind = "notify"
	case strings.HasPrefix(c.messageID, "sportel.answer."):
		c.kind = "answer"
	}
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		if _, ok := p.Header.(*mail.InlineHeader); ok {
			b, _ := io.ReadAll(p.Body)
			c.body = string(b)
			break
		}
	}
	return c, nil
}

func findMail(srv *devserver.SMTP, kind, ticket string) *capturedMail {
	for _, m := range srv.Mails() {
		c, err := readCaptured(m)
		if err == nil && c.kind == kind && c.ticket == ticket {
			return &c
		}
	}
	return nil
}

func printTickets(ctx context.Context, out io.Writer, st store.Reader, srv *devserver.SMTP) error {
	tickets, err := st.ListTickets(ctx, inquiry.TicketFilter{})
	if err != nil {
		return err
	}
	for _, t := range tickets {
		fmt.Fprintf(out, "━━ %s  %s  →  %s\n", t.Number, t.Category, t.OfficerID)
		fmt.Fprintf(out, "   from %s · language %s · %s, confidence %.2f · state %s\n", t.Sender, t.Language, t.Classifier, t.Confidence, t.State)
		if !t.DueAt.IsZero() {
			fmt.Fprintf(out, "   legal deadline: %s\n", t.DueAt.Format("02.01.2006"))
		}
		ack := findMail(srv, "ack", t.Number)
		switch {
		case ack != nil:
			fmt.Fprintf(out, "   acknowledgement to %s: %q\n", ack.to, ack.subject)
			for _, l := range strings.Split(strings.TrimSpace(ack.body), "\n") {
				fmt.Fprintf(out, "   │ %s\n", strings.TrimRight(l, "\r"))
			}
		case t.State == inquiry.BulkMail:
			fmt.Fprintln(out, "   bulk mail (list/newsletter): filed, not acknowledged, nobody notified")
		default:
			fmt.Fprintln(out, "   no acknowledgement sent")
		}
		if n := findMail(srv, "notify", t.Number); n != nil {
			fmt.Fprintf(out, "   officer notified: %s, %q\n", n.to, n.subject)
		}
		fmt.Fprintln(out)
	}
	return nil
}

func printAftermath(ctx context.Context, out io.Writer, st store.Reader, srv *devserver.SMTP, number string, sentBefore int) error {
	fmt.Fprintf(out, "━━ What came back for %s\n", number)
	t, _, err := st.TicketByNumber(ctx, number)
	if err != nil {
		return err
	}
	entries, err := st.Entries(ctx, t.ID)
	if err != nil {
		return err
	}
	for _, e := range entries {
		first := strings.SplitN(strings.TrimSpace(e.Text), "\n", 2)[0]
		fmt.Fprintf(out, "   %-9s %-30s %s\n", e.Kind, e.Author, clip(first, 70))
	}
	for _, m := range srv.Mails()[sentBefore:] {
		c, err := readCaptured(m)
		if err != nil {
			continue
		}
		fmt.Fprintf(out, "   sent %-6s to %s: %q\n", c.kind, c.to, c.subject)
	}
	fmt.Fprintf(out, "   ticket state: %s (the out-of-office reply was kept as a note and answered by nobody)\n", t.State)
	set, err := st.ListSetAside(ctx, "", 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   machine or quarantined mail without a ticket: %d\n", len(set))
	return nil
}

// demoForward is Zamira's forward to the public mailbox of a mail a
// citizen sent to her own address, as Gmail writes one, with the
// Authentication-Results the ministry's receiving server (the demo's
// mail.trusted_authserv_id) adds: without its word the forward would be
// filed as Zamira's own mail and the citizen not acknowledged.
const demoForward = "Authentication-Results: mx.mkrs.example;\r\n\tdkim=pass header.d=mkrs.example header.s=s1;\r\n" +
	"\tspf=pass smtp.mailfrom=zamira.ahmeti@mkrs.example;\r\n\tdmarc=pass (p=reject) header.from=mkrs.example\r\n" +
	"From: Zamira Ahmeti <zamira.ahmeti@mkrs.example>\r\nTo: komunikimi@mkrs.example\r\n" +
	"Subject: Fwd: kerkese per dokumente\r\nMessage-ID: <zamira-fwd-1@mkrs.example>\r\nDate: %s\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n\r\n" +
	"Qytetari më shkroi drejtpërdrejt, ju lutem regjistrojeni.\r\n\r\n" +
	"---------- Forwarded message ---------\r\nFrom: Valon Hasani <valon.hasani@example.net>\r\n" +
	"Date: %s\r\nSubject: kerkese per dokumente\r\nTo: <zamira.ahmeti@mkrs.example>\r\n\r\n" +
	"Pershendetje, ju lutem me dergoni kopjen e kontrates per renovimin e pallatit te rinise ne Prishtine, sipas ligjit per qasje ne dokumente publike.\r\n\r\nValon Hasani\r\n"

// runForwardDemo shows an officer filing a citizen's mail that came to her
// own address: she forwards it to the mailbox, and the ticket is the
// citizen's.
func runForwardDemo(ctx context.Context, out io.Writer, st store.Reader, imapSrv *devserver.IMAP, smtpSrv *devserver.SMTP, at time.Time) error {
	fmt.Fprintf(out, "\n━━ Zamira forwards to the mailbox a mail a citizen sent her directly\n")
	fmt.Fprintf(out, "   (the ministry's receiving server mx.mkrs.example vouches for her address: Authentication-Results dmarc=pass)\n")
	sent := len(smtpSrv.Mails())
	raw := fmt.Sprintf(demoForward, at.Format(time.RFC1123Z), at.Add(-time.Hour).Format("Mon, Jan 2, 2006 at 3:04 PM"))
	if _, err := imapSrv.Append("INBOX", []byte(raw), at); err != nil {
		return err
	}
	if err := waitSettled(ctx, st, imapSrv, 60*time.Second); err != nil {
		return err
	}
	tickets, err := st.ListTickets(ctx, inquiry.TicketFilter{SenderAddress: "valon.hasani@example.net"})
	if err != nil || len(tickets) != 1 {
		return fmt.Errorf("find the forwarded citizen's ticket: %d tickets, %v", len(tickets), err)
	}
	t := tickets[0]
	fmt.Fprintf(out, "   → %s  %s  →  %s (language %s), from %s\n", t.Number, t.Category, t.OfficerID, t.Language, t.Sender)
	if err := waitSent(ctx, st, 30*time.Second); err != nil {
		return err
	}
	for _, m := range smtpSrv.Mails()[sent:] {
		c, err := readCaptured(m)
		if err != nil {
			continue
		}
		kind := c.kind
		if kind == "" {
			kind = "report"
		}
		fmt.Fprintf(out, "   sent %-6s to %s: %q\n", kind, c.to, c.subject)
	}
	return nil
}

// serveDemoWeb serves the workspace on a loopback port beside the running
// demo and prints a sign-in link for the head of the division, until ctx
// ends (Ctrl-C). Answers given there go out through the demo's outbox to
// its SMTP server or fake Telegram.
func serveDemoWeb(ctx, runCtx context.Context, out io.Writer, a *app.App, cfg *config.Config, log *slog.Logger) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("web workspace: %w", err)
	}
	base := "http://" + ln.Addr().String()
	srv, err := a.NewWeb(base)
	if err != nil {
		ln.Close()
		return err
	}
	webCtx, stopWeb := context.WithCancel(runCtx)
	defer stopWeb()
	served := make(chan error, 1)
	go func() {
		err := app.ServeWeb(webCtx, ln, srv, "", "", log)
		srv.Wait()
		served <- err
	}()
	head := cfg.Officers[0]
	if heads := cfg.Heads(); len(heads) > 0 {
		head = heads[0]
	}
	link, expires, err := srv.Linker().NewLink(ctx, head.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe web workspace is at %s\n", base)
	fmt.Fprintf(out, "Sign in as %s, the head of the division (the link works once, until %s):\n\n  %s\n\n",
		head.Name, expires.In(cfg.Tickets.Location).Format("15:04"), link)
	fmt.Fprintf(out, "Other officers ask for their own link on the sign-in page; it is \"mailed\" to the demo's SMTP server.\nPress Ctrl-C to stop.\n")
	select {
	case <-ctx.Done():
		stopWeb()
		return <-served
	case err := <-served:
		return err
	}
}
