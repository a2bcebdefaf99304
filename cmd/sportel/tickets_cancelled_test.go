package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/app"
	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
)

// A reminder cancelled by the ticket's decision is shown with the ticket's
// sends, with why; it is not a failed send.
func TestTicketsShowCancelledReminder(t *testing.T) {
	_, _, cfg := openTicketsConfig(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	m := &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: "mail:r1@x|arben@example.net|h", MessageID: "r1@x",
		From: inquiry.Address{Address: "arben@example.net"}, Subject: "Kërkesë për dokument",
		Text: "Kërkoj kopjen e kontratës për renovimin e stadiumit.", ReceivedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	if _, err := a.Desk().Handle(ctx, m); err != nil {
		t.Fatal(err)
	}
	const number = "DKP-2026-000001"
	tk, _, err := a.Store().TicketByNumber(ctx, number)
	if err != nil || tk.Category != inquiry.DocumentRequest {
		t.Fatalf("ticket %s: %+v, %v; want a document request", number, tk, err)
	}
	err = a.Store().WithTx(ctx, func(tx store.Tx) error {
		_, err := tx.AddJobOnce("reminder:test", &inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobReminder, Recipient: tk.OfficerID,
			NextAt: now.Add(time.Hour), CreatedAt: now, Mail: &inquiry.Mail{MessageID: "reminder-1@sportel", Date: now, Text: "x"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Desk().CloseWith(ctx, number, desk.Closing{Outcome: inquiry.Granted}, tk.OfficerID); err != nil {
		t.Fatal(err)
	}
	a.Close()

	_, out, errOut := runCmd(t, "", nil, "tickets", "show", number, "--db", cfg.Store.DSN)
	if !strings.Contains(out, "reminder    cancelled to "+tk.OfficerID+", 0 attempt(s): cancelled: the ticket is closed (granted)") {
		t.Errorf("tickets show lists its sends as:\n%s%s\nwant the reminder cancelled, with why", out, errOut)
	}
	_, out, errOut = runCmd(t, "", nil, "tickets", "list", "--failed-jobs", "--db", cfg.Store.DSN)
	if strings.Contains(out, "reminder") {
		t.Errorf("tickets list --failed-jobs lists the cancelled reminder:\n%s%s", out, errOut)
	}
}
