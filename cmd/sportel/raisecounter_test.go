package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sportel/app"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// After a restore from a backup the counter is set past the numbers given
// since, by the command the README's restore steps name; the next ticket
// then takes the number after it, and the counter is never lowered.
func TestStoreRaiseCounter(t *testing.T) {
	path, vars, cfg := openTicketsConfig(t)
	ctx := context.Background()
	// file files one inquiry through the desk and returns its number.
	file := func(i int) string {
		t.Helper()
		a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		m := &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: fmt.Sprintf("msgid:%d@x", i), MessageID: fmt.Sprintf("%d@x", i),
			From: inquiry.Address{Address: fmt.Sprintf("qytetar%d@example.net", i)}, Subject: "Kërkesë",
			Text: "Kërkoj kopjen e kontratës për renovimin e stadiumit.", ReceivedAt: time.Now()}
		if _, err := a.Desk().Handle(ctx, m); err != nil {
			t.Fatal(err)
		}
		ts, err := a.Store().ListTickets(ctx, inquiry.TicketFilter{SenderAddress: m.From.Address})
		if err != nil || len(ts) != 1 {
			t.Fatalf("tickets of %s: %v, %d", m.From.Address, err, len(ts))
		}
		return ts[0].Number
	}
	first := file(1)
	year := strings.Split(first, "-")[1]
	delete(vars, "SPORTEL_DEMO_IMAP_PASSWORD") // needs no secrets

	steps := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{[]string{"DKP-" + year + "-000140"}, 0, "the counter of DKP-" + year + " stands at 140: the next ticket is DKP-" + year + "-000141"},
		{[]string{"dkp-" + year + "-100"}, 0, "was already past DKP-" + year + "-000100: it stands at 140, the next ticket is DKP-" + year + "-000141"},
		{[]string{"XYZ-" + year + "-000140"}, 2, `"XYZ-` + year + `-000140" is not a ticket number of this store: want DKP-YEAR-NUMBER`},
		{[]string{"DKP-26-140"}, 2, "is not a ticket number"},
		{[]string{"DKP-" + year + "-0"}, 2, "is not a ticket number"},
		{[]string{"DKP-" + year + "-+140"}, 2, "is not a ticket number"},
		{nil, 2, "Usage"},
	}
	for _, st := range steps {
		args := append([]string{"store", "raise-counter", "--config", path}, st.args...)
		code, out, errOut := runCmd(t, "", vars, args...)
		if code != st.wantCode {
			t.Fatalf("%v: exit %d, want %d\n%s%s", st.args, code, st.wantCode, out, errOut)
		}
		if !strings.Contains(out+errOut, st.wantOut) {
			t.Errorf("%v: output lacks %q:\n%s%s", st.args, st.wantOut, out, errOut)
		}
	}
	if got, want := file(2), "DKP-"+year+"-000141"; got != want {
		t.Errorf("the next ticket after the raise is %s, want %s", got, want)
	}
}
