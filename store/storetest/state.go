package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

func testCheckpoints(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if v, u, err := s.LoadCheckpoint(ctx, "acct/INBOX"); v != 0 || u != 0 || err != nil {
		t.Errorf("LoadCheckpoint(none) = %d, %d, %v; want zeros", v, u, err)
	}
	steps := []struct {
		key       string
		validity  uint32
		lastUID   uint32
		otherKeys map[string][2]uint32
	}{
		{"acct/INBOX", 1, 10, nil},
		{"acct/INBOX", 1, 4294967295, nil}, // full uint32 range survives
		{"acct/INBOX", 4294967294, 0, nil}, // UIDVALIDITY changed: reset
		{"other/INBOX", 7, 3, map[string][2]uint32{"acct/INBOX": {4294967294, 0}}},
	}
	for _, st := range steps {
		if err := s.SaveCheckpoint(ctx, st.key, st.validity, st.lastUID); err != nil {
			t.Fatal(err)
		}
		if v, u, err := s.LoadCheckpoint(ctx, st.key); v != st.validity || u != st.lastUID || err != nil {
			t.Errorf("LoadCheckpoint(%s) = %d, %d, %v; want %d, %d", st.key, v, u, err, st.validity, st.lastUID)
		}
		for k, want := range st.otherKeys {
			if v, u, err := s.LoadCheckpoint(ctx, k); v != want[0] || u != want[1] || err != nil {
				t.Errorf("LoadCheckpoint(%s) = %d, %d, %v; want %v (unchanged)", k, v, u, err, want)
			}
		}
	}
}

func testState(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if v, ok, err := s.GetState(ctx, "telegram.offset"); ok || v != "" || err != nil {
		t.Errorf("GetState(none) = %q, %v, %v", v, ok, err)
	}
	for _, kv := range [][2]string{{"telegram.offset", "100"}, {"telegram.offset", "101"}, {"chat.42.lang", "sr-Cyrl"}, {"empty", ""}} {
		if err := s.SetState(ctx, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := s.GetState(ctx, kv[0]); !ok || v != kv[1] || err != nil {
			t.Errorf("GetState(%s) = %q, %v, %v; want %q", kv[0], v, ok, err, kv[1])
		}
	}
	// Keys do not overwrite each other.
	if v, ok, err := s.GetState(ctx, "telegram.offset"); !ok || v != "101" || err != nil {
		t.Errorf("GetState(telegram.offset) at the end = %q, %v, %v; want 101", v, ok, err)
	}
}

// Every call gives up on a cancelled context, and writes nothing.
func testCallsHonourContext(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ticketID := createTickets(t, s, 1)[0]
	jobID := addJobs(t, s, 1, func(int) time.Time { return t0 })[0]
	if claimed, err := s.ClaimJobs(context.Background(), "w", t0, time.Hour, 1); err != nil || len(claimed) != 1 {
		t.Fatalf("ClaimJobs = %v, %v", claimed, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fnRan := false
	calls := []struct {
		name string
		call func() error
	}{
		{"WithTx", func() error {
			return s.WithTx(ctx, func(tx store.Tx) error {
				fnRan = true
				return tx.CreateTicket(newTicket("DKP-2026-000099", t0))
			})
		}},
		{"ListTickets", func() error { _, err := s.ListTickets(ctx, inquiry.TicketFilter{}); return err }},
		{"TicketByNumber", func() error { _, _, err := s.TicketByNumber(ctx, "DKP-2026-000001"); return err }},
		{"TicketByID", func() error { _, _, err := s.TicketByID(ctx, ticketID); return err }},
		{"ThreadRef", func() error { _, _, err := s.ThreadRef(ctx, "job0@sportel"); return err }},
		{"ThreadRefs", func() error { _, err := s.ThreadRefs(ctx, []string{"job0@sportel"}); return err }},
		{"CountTickets", func() error { _, err := s.CountTickets(ctx); return err }},
		{"SourcesTaken", func() error { _, err := s.SourcesTaken(ctx, []string{"msgid:a@x"}); return err }},
		{"Entries", func() error { _, err := s.Entries(ctx, ticketID); return err }},
		{"Entry", func() error { _, _, err := s.Entry(ctx, ticketID, 1); return err }},
		{"RecordPage", func() error { _, _, err := s.RecordPage(ctx, ticketID, 0, 10); return err }},
		{"TicketJobs", func() error { _, err := s.TicketJobs(ctx, ticketID); return err }},
		{"ListJobs", func() error { _, err := s.ListJobs(ctx, inquiry.JobPending, 0); return err }},
		{"ListSetAside", func() error { _, err := s.ListSetAside(ctx, "", 0); return err }},
		{"ClaimJobs", func() error { _, err := s.ClaimJobs(ctx, "w2", t0.Add(48*time.Hour), time.Hour, 1); return err }},
		{"ClaimJobsBy", func() error {
			_, err := s.ClaimJobsBy(ctx, "w2", t0.Add(48*time.Hour), time.Hour, 1, store.TransportMail)
			return err
		}},
		{"FinishJobs", func() error {
			_, err := s.FinishJobs(ctx, "w", []store.SentJob{{ID: jobID, Ref: "r", ThreadRef: &inquiry.ThreadRef{Ref: "r", TicketID: ticketID}}}, t0)
			return err
		}},
		{"RetryJob", func() error { return s.RetryJob(ctx, jobID, "w", t0, "x") }},
		{"FailJob", func() error { return s.FailJob(ctx, jobID, "w", "x", t0) }},
		{"ReleaseJob", func() error { return s.ReleaseJob(ctx, jobID, "w") }},
		{"RenewLeases", func() error { _, err := s.RenewLeases(ctx, "w", []int64{jobID}, t0.Add(time.Hour)); return err }},
		{"ReleaseClaims", func() error { _, err := s.ReleaseClaims(ctx, "nobody"); return err }},
		{"NextJobAt", func() error { _, _, err := s.NextJobAt(ctx); return err }},
		{"LoadCheckpoint", func() error { _, _, err := s.LoadCheckpoint(ctx, "k"); return err }},
		{"SaveCheckpoint", func() error { return s.SaveCheckpoint(ctx, "k", 1, 2) }},
		{"GetState", func() error { _, _, err := s.GetState(ctx, "k"); return err }},
		{"SetState", func() error { return s.SetState(ctx, "k", "v") }},
	}
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled ctx: err = %v, want context.Canceled", c.name, err)
		}
	}
	if fnRan {
		t.Error("WithTx ran fn under a cancelled ctx")
	}

	bg := context.Background()
	if n, err := s.CountTickets(bg); err != nil || n != 1 {
		t.Errorf("CountTickets after cancelled calls = %d, %v; want 1", n, err)
	}
	if j := jobByID(t, s, jobID); j.State != inquiry.JobPending || j.Attempts != 1 || j.LastError != "" || j.SentRef != "" {
		t.Errorf("job after cancelled calls = %+v; want pending, claimed once, untouched", j)
	}
	if _, ok, err := s.ThreadRef(bg, "r"); ok || err != nil {
		t.Errorf("ThreadRef(r) after a cancelled FinishJobs: ok %v, err %v", ok, err)
	}
	if v, u, err := s.LoadCheckpoint(bg, "k"); v != 0 || u != 0 || err != nil {
		t.Errorf("checkpoint after a cancelled save = %d, %d, %v; want zeros", v, u, err)
	}
	if _, ok, err := s.GetState(bg, "k"); ok || err != nil {
		t.Errorf("state after a cancelled set: ok %v, err %v", ok, err)
	}
}
