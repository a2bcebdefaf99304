package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sportel/inquiry"
)

// machineCorpus is inbox/parse's corpus of machine mail that carries no
// standard header, humanCorpus its citizens' look-alikes; corpusAckID is
// the Message-ID its messages give our acknowledgement when they refer to
// it.
const (
	machineCorpus = "../inbox/parse/testdata/machine"
	humanCorpus   = "../inbox/parse/testdata/human"
	corpusAckID   = "sportel.ack.5f2c91d0@mkrs.example"
)

// TestE2EMachineCorpus feeds messages of each kind in the machine-mail
// corpus through IMAP, parsing and intake after one citizen's inquiry, with
// the acknowledgement's real Message-ID put where the corpus refers to it.
// None may be answered or reach an officer, and none may be lost: each is
// kept on the ticket it refers to, or listed by `tickets list --automated`.
// It runs against the go-imap memory server and against Dovecot.
func TestE2EMachineCorpus(t *testing.T) {
	t.Parallel()
	servers := []struct {
		name     string
		newStack func(testing.TB) *stack
	}{{"memory", newMemStack}, {"dovecot", newDovecotStack}}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			machineCorpusThroughPipeline(t, srv.newStack(t))
		})
	}
}

func machineCorpusThroughPipeline(t *testing.T, s *stack) {
	cases := []struct {
		file string
		// onTicket: it refers to the acknowledgement, so it is kept on the
		// base ticket; otherwise it is listed as machine mail.
		onTicket bool
	}{
		{"bounce/null-from-postfix.eml", true},     // From: MAILER-DAEMON <>, copy quoted as text
		{"dsn/exchange-online.eml", true},          // RFC 3464 report
		{"autoreply/subject-sq-outlook.eml", true}, // "Përgjigje automatike:" and nothing else
		{"autoreply/subject-sr-cyrl-outlook.eml", true},
		{"abuse/jmrp-hotmail.eml", true}, // multipart/mixed with message/rfc822
		{"autoreply/subject-no-reference.eml", false},
		{"bounce/text-exim.eml", false},         // only its first lines tell
		{"bounce/communigate.eml", true},        // "Undeliverable mail:" naming the ticket
		{"cloud/ses-bounce-sns-raw.eml", false}, // JSON body
		{"list/mailman2-held.eml", false},
		{"list/google-groups.eml", false},
	}

	// A Dovecot named by SPORTEL_DOVECOT_ADDR may hold earlier runs' mail:
	// judge the mailbox by what this run adds.
	processedBefore := s.countOrZero(processedBox)
	a, _ := s.serve()
	base := inboundMail{
		from: "Arben Krasniqi <arben.krasniqi@example.net>", subject: "Kërkesë për kontratën e stadiumit",
		messageID: "corpus-base@example.net",
		body:      "Të nderuar, kërkoj kopjen e kontratës për renovimin e stadiumit në Prizren.",
	}
	s.append(base.raw())
	s.settle(a)
	baseTicket := s.ticket(a, base.messageID)
	ack := the(t, s.wireMails(), "ack", baseTicket.Number)
	before := len(s.smtp.Mails())

	msgIDs := make([]string, len(cases))
	for i, c := range cases {
		raw, err := os.ReadFile(filepath.Join(machineCorpus, filepath.FromSlash(c.file)))
		if err != nil {
			t.Fatalf("read corpus: %v", err)
		}
		raw = bytes.ReplaceAll(raw, []byte(corpusAckID), []byte(ack.messageID))
		// The corpus names ticket DKP-2026-000001; this run's may differ.
		raw = bytes.ReplaceAll(raw, []byte("DKP-2026-000001"), []byte(baseTicket.Number))
		msgIDs[i] = corpusMessageID(t, raw)
		s.append(bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n")))
	}
	s.settle(a)

	if sent := s.wireMails()[before:]; len(sent) != 0 {
		t.Errorf("machine mail caused %d sends, want none: %s", len(sent), describe(sent))
	}
	ctx := context.Background()
	tickets, err := a.store.ListTickets(ctx, inquiry.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tickets) != 1 {
		t.Errorf("%d tickets, want only the citizen's", len(tickets))
	}
	jobs, err := a.store.TicketJobs(ctx, baseTicket.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 {
		t.Errorf("%d jobs on %s, want the acknowledgement and the notification only", len(jobs), baseTicket.Number)
	}
	entries, err := a.store.Entries(ctx, baseTicket.ID)
	if err != nil {
		t.Fatal(err)
	}
	machine, err := a.store.ListSetAside(ctx, inquiry.SetAsideMachine, 0)
	if err != nil {
		t.Fatal(err)
	}
	quarantined, err := a.store.ListSetAside(ctx, inquiry.SetAsideQuarantine, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(quarantined) != 0 {
		t.Errorf("%d quarantined (the catch-all officer is told of each), want none", len(quarantined))
	}
	if got := s.count(processedBox) - processedBefore; got != 1+len(cases) {
		t.Errorf("%d messages moved to %s, want %d: every message is taken in and moved", got, processedBox, 1+len(cases))
	}
	for i, c := range cases {
		t.Run(strings.TrimSuffix(c.file, ".eml"), func(t *testing.T) {
			onTicket := hasEntry(entries, inquiry.EntryAutomated, msgIDs[i])
			listed := slices.ContainsFunc(machine, func(sa inquiry.SetAside) bool { return strings.HasPrefix(sa.SourceID, "mail:"+msgIDs[i]+"|") })
			switch {
			case onTicket && listed:
				t.Errorf("kept both on %s and in the automated list", baseTicket.Number)
			case c.onTicket && !onTicket:
				t.Errorf("not kept on %s (listed as machine mail: %v)", baseTicket.Number, listed)
			case !c.onTicket && !listed:
				t.Errorf("not in the automated list (on %s: %v)", baseTicket.Number, onTicket)
			}
		})
	}
}

// TestE2EHumanLookAlikes: citizens' mail that looks a little like machine
// mail (a contact form, a reply quoting a bounce, a subject about office
// hours) is filed, acknowledged and routed like any other.
func TestE2EHumanLookAlikes(t *testing.T) {
	t.Parallel()
	files := []string{"contact-form-wordpress.eml", "reply-quoting-bounce.eml", "out-of-office-hours.eml", "pasted-bounce.eml"}
	s := newMemStack(t)
	a, _ := s.serve()
	msgIDs := make([]string, len(files))
	for i, file := range files {
		raw, err := os.ReadFile(filepath.Join(humanCorpus, file))
		if err != nil {
			t.Fatalf("read corpus: %v", err)
		}
		msgIDs[i] = corpusMessageID(t, raw)
		s.append(bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n")))
	}
	s.settle(a)
	sent := s.wireMails()
	for i, file := range files {
		t.Run(strings.TrimSuffix(file, ".eml"), func(t *testing.T) {
			tk := s.ticket(a, msgIDs[i])
			if tk.State != inquiry.Assigned {
				t.Errorf("ticket %s in state %s, want %s", tk.Number, tk.State, inquiry.Assigned)
			}
			if n := len(mailsOf(sent, "ack", tk.Number)); n != 1 {
				t.Errorf("%d acknowledgements, want 1", n)
			}
			if n := len(mailsOf(sent, "notify", tk.Number)); n != 1 {
				t.Errorf("%d officer notifications, want 1", n)
			}
		})
	}
}

// corpusMessageID reads a corpus message's Message-ID, without brackets.
func corpusMessageID(tb testing.TB, raw []byte) string {
	tb.Helper()
	for line := range strings.Lines(string(raw)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Message-ID") {
			return strings.Trim(strings.TrimSpace(v), "<>")
		}
		if strings.TrimSpace(line) == "" {
			break
		}
	}
	tb.Fatalf("corpus message without a Message-ID")
	return ""
}
