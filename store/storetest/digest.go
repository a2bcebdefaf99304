package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// A coalesced notification is found, rewritten while no worker has claimed
// it, and left alone (same payload, same Message-ID) once one has.
func testPendingJobUpdate(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	ticket := createTickets(t, s, 2)
	digest := func(n int) *inquiry.Digest {
		return &inquiry.Digest{Count: n, Items: []inquiry.DigestItem{{At: t0, Author: "arta", Text: "first", Attachments: []string{"a.pdf"}}}}
	}
	mailJob := &inquiry.Job{TicketID: ticket[0], Kind: inquiry.JobNotify, Recipient: "officer1", NextAt: t0.Add(time.Minute), CreatedAt: t0,
		Mail: &inquiry.Mail{MessageID: "digest1@sportel", Date: t0, Text: "1 message"}, Digest: digest(1)}
	chatJob := &inquiry.Job{TicketID: ticket[0], Kind: inquiry.JobNotify, Recipient: "officer1", NextAt: t0.Add(time.Minute), CreatedAt: t0,
		Chat: &inquiry.ChatMessage{ChatID: 7, Text: "1 message"}, Digest: digest(1)}
	inTx(t, s, func(tx store.Tx) error {
		for _, j := range []*inquiry.Job{
			{TicketID: ticket[0], Kind: inquiry.JobNotify, Recipient: "officer1", NextAt: t0, CreatedAt: t0, Mail: &inquiry.Mail{MessageID: "n0@sportel", Date: t0}},
			mailJob, chatJob,
			{TicketID: ticket[0], Kind: inquiry.JobNotify, Recipient: "officer2", NextAt: t0, CreatedAt: t0, Mail: &inquiry.Mail{MessageID: "o2@sportel"}},
			{TicketID: ticket[0], Kind: inquiry.JobAck, Recipient: "officer1", NextAt: t0, CreatedAt: t0, Mail: &inquiry.Mail{MessageID: "ack@sportel"}},
			{TicketID: ticket[1], Kind: inquiry.JobNotify, Recipient: "officer1", NextAt: t0, CreatedAt: t0, Mail: &inquiry.Mail{MessageID: "t2@sportel"}},
		} {
			if err := tx.AddJob(j); err != nil {
				return err
			}
		}
		return nil
	})
	// The first notification is claimed and sent; the digests are not due.
	claimed, err := s.ClaimJobs(ctx, "w1", t0, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 4 {
		t.Fatalf("claimed %d jobs due at t0, want 4", len(claimed))
	}
	if err := finishAll(ctx, s, "w1", jobIDs(claimed), t0); err != nil {
		t.Fatal(err)
	}
	inTx(t, s, func(tx store.Tx) error {
		latest, ok, err := tx.LatestJob(ticket[0], inquiry.JobNotify, "officer1")
		if err != nil {
			return err
		}
		if !ok || latest.ID != chatJob.ID || latest.Digest == nil || latest.Digest.Count != 1 || latest.Digest.Items[0].Attachments[0] != "a.pdf" {
			t.Errorf("LatestJob = %+v, %v; want job %d with its digest", latest, ok, chatJob.ID)
		}
		if _, ok, err := tx.LatestJob(ticket[1], inquiry.JobAck, "officer1"); err != nil || ok {
			t.Errorf("LatestJob of a kind the ticket has none of: %v, %v", ok, err)
		}
		pending, err := tx.PendingJobs(ticket[0], inquiry.JobNotify, "officer1")
		if err != nil {
			return err
		}
		if len(pending) != 2 || pending[0].ID != mailJob.ID || pending[1].ID != chatJob.ID {
			t.Errorf("PendingJobs = %v, want the two unclaimed digests %d and %d", jobIDs(pending), mailJob.ID, chatJob.ID)
		}
		// A later message joins both: new payload, later due time.
		for _, j := range pending {
			j.Digest = digest(2)
			j.NextAt = t0.Add(2 * time.Minute)
			if j.Mail != nil {
				j.Mail.Text = "2 messages"
			} else {
				j.Chat.Text = "2 messages"
			}
			if ok, err := tx.UpdatePendingJob(&j); err != nil || !ok {
				t.Errorf("UpdatePendingJob(%d) = %v, %v; want true", j.ID, ok, err)
			}
		}
		// The Message-ID is fixed.
		bad := pending[0]
		bad.Mail.MessageID = "other@sportel"
		if ok, err := tx.UpdatePendingJob(&bad); err == nil || ok {
			t.Errorf("UpdatePendingJob with a new Message-ID = %v, %v; want an error", ok, err)
		}
		return nil
	})
	got := jobByID(t, s, mailJob.ID)
	if got.Mail.Text != "2 messages" || got.Mail.MessageID != "digest1@sportel" || got.Digest.Count != 2 || !got.NextAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("after update: %+v, digest %+v", got, got.Digest)
	}
	// Once claimed, a digest may have been sent: it is no longer pending
	// in this sense, and an update writes nothing.
	claimed, err = s.ClaimJobs(ctx, "w1", t0.Add(2*time.Minute), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 2 {
		t.Fatalf("claimed %v, want the two digests", jobIDs(claimed))
	}
	// Released (as at a shutdown), it still counts as possibly sent.
	if err := s.RetryJob(ctx, mailJob.ID, "w1", t0, ""); err != nil {
		t.Fatal(err)
	}
	inTx(t, s, func(tx store.Tx) error {
		pending, err := tx.PendingJobs(ticket[0], inquiry.JobNotify, "officer1")
		if err != nil {
			return err
		}
		if len(pending) != 0 {
			t.Errorf("PendingJobs after a claim = %v, want none", jobIDs(pending))
		}
		for _, c := range claimed {
			c.Digest = digest(3)
			if ok, err := tx.UpdatePendingJob(&c); err != nil || ok {
				t.Errorf("UpdatePendingJob(%d) after a claim = %v, %v; want false, nil", c.ID, ok, err)
			}
		}
		return nil
	})
	if got := jobByID(t, s, mailJob.ID); got.Digest.Count != 2 || got.Mail.Text != "2 messages" {
		t.Errorf("a claimed job changed: %+v", got.Digest)
	}
}

func jobIDs(jobs []inquiry.Job) []int64 {
	out := make([]int64, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}

func testLastEntries(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	id := createTickets(t, s, 1)[0]
	inTx(t, s, func(tx store.Tx) error {
		for i := range 7 {
			kind := inquiry.EntryInbound
			if i%3 == 2 {
				kind = inquiry.EntryNote
			}
			if err := tx.AddEntry(&inquiry.Entry{TicketID: id, Kind: kind, Text: fmt.Sprintf("e%d", i), CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	cases := []struct {
		limit int
		want  string
	}{
		{0, "[]"},
		{1, "[e6]"},
		{3, "[e3 e4 e6]"},
		{10, "[e0 e1 e3 e4 e6]"},
	}
	inTx(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			es, err := tx.LastEntries(id, inquiry.EntryInbound, c.limit)
			if err != nil {
				return err
			}
			var texts []string
			for _, e := range es {
				texts = append(texts, e.Text)
			}
			if got := fmt.Sprint(texts); got != c.want {
				t.Errorf("LastEntries(limit %d) = %s, want %s", c.limit, got, c.want)
			}
		}
		return nil
	})
}
