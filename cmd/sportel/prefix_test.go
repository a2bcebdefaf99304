package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"sportel/app"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// tickets.prefix takes 2–10 ASCII letters in either case; the tickets are
// numbered in capitals, and the tickets commands find them typed either way.
func TestTicketsCommandsWithALowerCasePrefix(t *testing.T) {
	path, vars, _ := openTicketsConfig(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), "tickets:\n", "tickets:\n  prefix: mkrs\n", 1))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
	cfg, err := loadConfig(path, e)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	m := &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: "msgid:p@x", MessageID: "p@x", From: inquiry.Address{Address: "arben@example.net"},
		Subject: "Kërkesë", Text: "Kërkoj kopjen e kontratës për renovimin e stadiumit.", ReceivedAt: time.Now()}
	if _, err := a.Desk().Handle(ctx, m); err != nil {
		t.Fatal(err)
	}
	ts, err := a.Store().ListTickets(ctx, inquiry.TicketFilter{})
	a.Close()
	if err != nil || len(ts) != 1 {
		t.Fatalf("%d tickets, %v", len(ts), err)
	}
	number := ts[0].Number
	if !strings.HasPrefix(number, "MKRS-") {
		t.Errorf("ticket numbered %s, want MKRS-…", number)
	}
	for _, args := range [][]string{
		{"tickets", "show", number},
		{"tickets", "show", strings.ToLower(number)},
		{"tickets", "note", number, "thirrur", "në", "telefon"},
		{"tickets", "urgent", number},
	} {
		code, out, errOut := runCmd(t, "", vars, append(args, "--config", path)...)
		if code != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 0", args, code, out, errOut)
		}
	}
}
