package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// A ticket's chat answers and notices to one recipient are claimed one at
// a time, in the order they were queued: the next waits while the one
// before it is pending (claimed, or waiting to be retried), and goes once
// it is done or failed. Other tickets, other kinds and mail are not held
// back, and a job waiting its turn does not count as due.
func testChatAnswersInTurn(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	tickets := createTickets(t, s, 2)
	chat := func(ticket int64, kind inquiry.JobKind, text string) *inquiry.Job {
		return &inquiry.Job{TicketID: ticket, Kind: kind, Recipient: "tg:555", NextAt: t0, CreatedAt: t0,
			Chat: &inquiry.ChatMessage{ChatID: 555, Text: text}}
	}
	jobs := []*inquiry.Job{
		chat(tickets[0], inquiry.JobAnswer, "first answer"),
		chat(tickets[0], inquiry.JobNotice, "a notice after it"),
		chat(tickets[0], inquiry.JobAnswer, "second answer"),
		chat(tickets[1], inquiry.JobAnswer, "another ticket's answer"),
		chat(tickets[0], inquiry.JobAck, "an acknowledgement"),
		{TicketID: tickets[0], Kind: inquiry.JobAnswer, Recipient: "tg:555", NextAt: t0, CreatedAt: t0,
			Mail: &inquiry.Mail{MessageID: "turn-mail@sportel", Date: t0, Text: "x"}},
	}
	inTx(t, s, func(tx store.Tx) error {
		for _, j := range jobs {
			if err := tx.AddJob(j); err != nil {
				return err
			}
		}
		return nil
	})
	id := func(i int) int64 { return jobs[i].ID }
	claim := func(at time.Time) []int64 {
		t.Helper()
		got, err := s.ClaimJobs(ctx, "w", at, time.Hour, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, j := range got {
			ids = append(ids, j.ID)
		}
		return ids
	}
	if got, want := claim(t0), []int64{id(0), id(3), id(4), id(5)}; !slices.Equal(got, want) {
		t.Fatalf("first claim %v, want %v (the notice and the second answer wait their turn)", got, want)
	}
	if at, ok, err := s.NextJobAt(ctx); err != nil || !ok || !at.Equal(t0.Add(time.Hour)) {
		t.Errorf("NextJobAt = %v, %v, %v; want the first answer's lease end %v, not the waiting jobs' due time", at, ok, err, t0.Add(time.Hour))
	}
	if _, err := s.FinishJobs(ctx, "w", []store.SentJob{{ID: id(0), Ref: "tg:555:1"}}, t0); err != nil {
		t.Fatal(err)
	}
	if got, want := claim(t0), []int64{id(1)}; !slices.Equal(got, want) {
		t.Fatalf("after the first answer went: claimed %v, want the notice %v", got, want)
	}
	// Retried later (a 429): the second answer still waits for it.
	if err := s.RetryJob(ctx, id(1), "w", t0.Add(time.Minute), "429"); err != nil {
		t.Fatal(err)
	}
	if got := claim(t0.Add(time.Second)); len(got) != 0 {
		t.Fatalf("while the notice waits to be retried, claimed %v, want nothing", got)
	}
	if got, want := claim(t0.Add(time.Minute)), []int64{id(1)}; !slices.Equal(got, want) {
		t.Fatalf("at the notice's retry: claimed %v, want %v", got, want)
	}
	// Failed for good: it no longer holds the next back.
	if err := s.FailJob(ctx, id(1), "w", "403", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, want := claim(t0.Add(time.Minute)), []int64{id(2)}; !slices.Equal(got, want) {
		t.Fatalf("after the notice failed: claimed %v, want the second answer %v", got, want)
	}
}
