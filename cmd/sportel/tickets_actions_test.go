package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/app"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// The lifecycle subcommands, run as an officer types them, against the
// store the daemon uses; what they leave is read back from it.
func TestTicketsLifecycleCommands(t *testing.T) {
	path, vars, cfg := openTicketsConfig(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	received := time.Now()
	for i, text := range []string{
		"Kërkoj kopjen e kontratës për renovimin e stadiumit.",
		"Kërkoj kopjen e vendimit për ndarjen e subvencioneve për teatrot.",
	} {
		m := &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: "msgid:" + string(rune('a'+i)) + "@x", MessageID: string(rune('a'+i)) + "@x",
			From: inquiry.Address{Address: "arben@example.net"}, Subject: "Kërkesë", Text: text, ReceivedAt: received}
		if _, err := a.Desk().Handle(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := a.Store().ListTickets(ctx, inquiry.TicketFilter{})
	if err != nil || len(ts) != 2 {
		t.Fatalf("%d tickets, %v", len(ts), err)
	}
	a.Close()
	one, two := ts[0].Number, ts[1].Number
	// The day of receipt in Kosovo: a complaint cannot be older.
	today := received.In(cfg.Tickets.Location).Format("2006-01-02")

	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"urgent"}, 2, "want NUMBER first"},
		{[]string{"urgent", one, "now"}, 2, "want NUMBER [--off]"},
		{[]string{"urgent", one}, 0, one + " urgent: due "},
		{[]string{"urgent", one, "--off"}, 0, one + " no longer urgent"},
		{[]string{"extend", one, "ten", "arkivi"}, 2, `DAYS "ten" is not a whole number`},
		{[]string{"extend", one, "10"}, 2, "want NUMBER DAYS REASON"},
		{[]string{"extend", one, "16", "arkivi"}, 1, "an extension is 1 to 15 days, not 16"},
		{[]string{"extend", one, "10", "Dokumentet", "janë", "në", "arkiv"}, 0, one + " extended by 10 days"},
		{[]string{"extend", one, "5", "sërish"}, 1, "the law allows one extension"},
		{[]string{"close", one, "refused"}, 1, "refused needs a ground (one of personal_data, classified,"},
		{[]string{"close", one, "refused", "tax"}, 1, `unknown ground "tax"`},
		{[]string{"close", one, "resolved"}, 1, "give an outcome (granted, partly_granted, refused, not_held, withdrawn)"},
		{[]string{"close", one, "refused", "classified", "extra"}, 2, "want NUMBER OUTCOME [GROUND]"},
		{[]string{"close", one, "granted", "--outcome", "granted"}, 2, "give the outcome once"},
		{[]string{"close", one, "refused", "classified"}, 0, one + " closed: refused (ground classified)"},
		{[]string{"reopen", one}, 0, one + " reopened"},
		{[]string{"reopen", one}, 1, "is assigned, not closed"},
		{[]string{"close", one, "--outcome", "partly_granted", "--ground", "personal_data"}, 0, "closed: partly_granted (ground personal_data)"},
		{[]string{"complaint", one, "1.12.2026"}, 1, "is not a date like"},
		{[]string{"complaint", one, today, "ankesë", "për", "refuzimin"}, 0, "complaint of " + today + " recorded (1 in all)"},
		{[]string{"not-held", two, "Agjencia", "Kosovare", "e", "Statistikave"}, 0, two + " marked not held"},
		{[]string{"close", two, "not_held", "--in-answer"}, 1, "no answer was relayed"},
		{[]string{"close", two, "not-held"}, 0, two + " closed: not_held"},
		{[]string{"frobnicate", two}, 2, "unknown subcommand"},
	}
	for _, s := range steps {
		args := append(append([]string{"tickets"}, s.args...), "--config", path)
		code, out, errOut := runCmd(t, "", vars, args...)
		if code != s.code || !strings.Contains(out+errOut, s.want) {
			t.Errorf("%v: exit %d, output %q %q; want exit %d containing %q", s.args, code, out, errOut, s.code, s.want)
		}
	}

	a, err = app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	got, _, err := a.Store().TicketByNumber(ctx, one)
	if err != nil {
		t.Fatal(err)
	}
	if got.Urgent || got.Extension == nil || got.Extension.Days != 10 || got.Extension.Reason != "Dokumentet janë në arkiv" ||
		got.Outcome != inquiry.PartlyGranted || got.Ground != "personal_data" || len(got.Complaints) != 1 ||
		got.Complaints[0].Note != "ankesë për refuzimin" || !strings.HasPrefix(got.Extension.By, "cli:") {
		t.Errorf("ticket %s after the commands: %+v", one, got)
	}
	got, _, err = a.Store().TicketByNumber(ctx, two)
	if err != nil {
		t.Fatal(err)
	}
	if got.NotHeldMark == nil || got.NotHeldMark.Holder != "Agjencia Kosovare e Statistikave" || got.Outcome != inquiry.NotHeld ||
		!got.DecidedAt.Equal(got.NotHeldMark.At) {
		t.Errorf("ticket %s after the commands: %+v", two, got)
	}
	// The notices wait in the outbox: extension, refusal, partial grant
	// on the first; not held on the second (closing it sent none).
	for number, want := range map[string]int{one: 3, two: 1} {
		tk, _, _ := a.Store().TicketByNumber(ctx, number)
		jobs, err := a.Store().TicketJobs(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, j := range jobs {
			if j.Kind == inquiry.JobNotice {
				n++
			}
		}
		if n != want {
			t.Errorf("%s: %d notices queued, want %d", number, n, want)
		}
	}
}
