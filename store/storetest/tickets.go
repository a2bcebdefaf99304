package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

func testTicketRoundTrip(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)

	tk := &inquiry.Ticket{
		Number: "DKP-2026-000042", Channel: inquiry.ChannelTelegram,
		Sender: inquiry.Address{Name: "Марко Јовановић", Address: "marko@example.rs"}, ChatID: -100123456789,
		Subject: "Захтев за документ", MessageID: "abc@example.rs", Language: inquiry.SerbianCyrl, Category: inquiry.DocumentRequest,
		Classifier: "llm:qwen", Confidence: 0.8125, Reason: "asks for a decision", NeedsReview: true,
		OfficerID: "officer7", Acted: true, State: inquiry.Closed, Outcome: inquiry.PartlyGranted,
		ReceivedAt: t0.In(cet), CreatedAt: t0.Add(26*time.Hour + time.Nanosecond).In(cet),
		DueAt: t0.Add(15 * 24 * time.Hour), AnsweredAt: t0.Add(time.Hour + time.Nanosecond),
		ClosedAt: t0.Add(2 * time.Hour), UpdatedAt: t0.Add(3 * time.Hour), LinkedTo: "DKP-2026-000007",
		Mentions: "DKP-2025-000100",
		Urgent:   true,
		Extension: &inquiry.Extension{Days: 15, Reason: "Dokumentet janë në arkiv", DueAt: t0.Add(15 * 24 * time.Hour),
			At: t0.Add(time.Hour), By: "officer7"},
		NotHeldMark: &inquiry.NotHeldMark{Holder: "Agjencia Kosovare e Statistikave", At: t0.Add(90 * time.Minute), By: "officer7"},
		Ground:      "personal_data", DecidedAt: t0.Add(2 * time.Hour), DecisionInAnswer: true,
		Complaints: []inquiry.Complaint{
			{Date: "2026-03-10", Note: "ankesë për refuzimin", At: t0.Add(48 * time.Hour).In(cet), By: "officer7"},
			{Date: "2026-03-12", At: t0.Add(72 * time.Hour), By: "head"},
		},
	}
	raw := []byte("From: marko@example.rs\r\nSubject: x\r\n\r\n\x00\xff binary")
	entries := []*inquiry.Entry{
		{Kind: inquiry.EntryInbound, SourceID: "tg:-100123456789:5", MessageID: "abc@example.rs",
			Author: "marko@example.rs", Subject: "Захтев", Text: "Молим копију одлуке.",
			Attachments: []inquiry.Attachment{
				{Name: "одлука.pdf", ContentType: "application/pdf", Size: 1 << 20, Content: []byte{0, 1, 2, 0xff}, Truncated: true},
				{Name: "photo.jpg", ContentType: "image/jpeg", Size: 12, FileID: "AgAD123"},
			},
			Raw: raw, CreatedAt: t0},
		{Kind: inquiry.EntryNote, Author: "sportel", Text: "assigned to officer7", CreatedAt: t0.Add(time.Second)},
	}
	jobs := []*inquiry.Job{
		{Kind: inquiry.JobAck, Recipient: "marko@example.rs", Mail: &inquiry.Mail{
			MessageID: "ack.42@sportel.example.gov", Date: t0, From: inquiry.Address{Name: "DKP", Address: "dkp@example.gov"},
			To: []inquiry.Address{{Address: "marko@example.rs"}}, ReplyTo: &inquiry.Address{Address: "noreply@example.gov"},
			Subject: "[DKP-2026-000042] Primljeno", InReplyTo: []string{"abc@example.rs"}, References: []string{"abc@example.rs"},
			AutoReplied: true, Headers: map[string]string{"X-Sportel-Ticket": "DKP-2026-000042"}, Text: "Hvala.",
			Attachments: []inquiry.Attachment{{Name: "a.txt", ContentType: "text/plain", Size: 2, Content: []byte("hi")}},
		}, State: inquiry.JobPending, NextAt: t0, CreatedAt: t0},
		{Kind: inquiry.JobNotify, Recipient: "officer7", Chat: &inquiry.ChatMessage{
			ChatID: 555, Text: "New ticket", ReplyToMsgID: 9,
			Ticket: "DKP-2026-000042", Actions: []inquiry.TicketAction{inquiry.ActionTake, inquiry.ActionClose},
		}, State: inquiry.JobDone, Attempts: 2, NextAt: t0.Add(time.Minute), LastError: "429 too many requests",
			CreatedAt: t0, FinishedAt: t0.Add(2 * time.Minute), SentRef: "777"},
	}
	refs := []inquiry.ThreadRef{
		{Ref: "abc@example.rs", Kind: ""},
		{Ref: "ack.42@sportel.example.gov", Kind: inquiry.JobAck},
		{Ref: "tg:555:777", Kind: inquiry.JobNotify, OfficerID: "officer7"},
	}

	inTx(t, s, func(tx store.Tx) error {
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		for _, e := range entries {
			e.TicketID = tk.ID
			if err := tx.AddEntry(e); err != nil {
				return err
			}
		}
		for _, j := range jobs {
			j.TicketID = tk.ID
			if err := tx.AddJob(j); err != nil {
				return err
			}
		}
		for i := range refs {
			refs[i].TicketID = tk.ID
			if err := tx.AddThreadRef(refs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if tk.ID == 0 || entries[0].ID == 0 || entries[1].ID <= entries[0].ID || jobs[0].ID == 0 || jobs[1].ID <= jobs[0].ID {
		t.Fatalf("ids not set in order: ticket %d, entries %d %d, jobs %d %d", tk.ID, entries[0].ID, entries[1].ID, jobs[0].ID, jobs[1].ID)
	}

	// What comes back is in UTC; the instants are the same.
	wantTicket := *tk
	wantTicket.ReceivedAt, wantTicket.CreatedAt = tk.ReceivedAt.UTC(), tk.CreatedAt.UTC()
	wantTicket.Complaints = slices.Clone(tk.Complaints)
	wantTicket.Complaints[0].At = tk.Complaints[0].At.UTC()

	got, ok, err := s.TicketByNumber(ctx, tk.Number)
	if err != nil || !ok {
		t.Fatalf("TicketByNumber: ok=%v err=%v", ok, err)
	}
	if !reflect.DeepEqual(got, wantTicket) {
		t.Errorf("TicketByNumber:\n got %+v\nwant %+v", got, wantTicket)
	}
	inTx(t, s, func(tx store.Tx) error {
		got, ok, err := tx.TicketByID(tk.ID)
		if err != nil || !ok || !reflect.DeepEqual(got, wantTicket) {
			t.Errorf("Tx.TicketByID = %+v, %v, %v", got, ok, err)
		}
		got, ok, err = tx.TicketByNumber(tk.Number)
		if err != nil || !ok || !reflect.DeepEqual(got, wantTicket) {
			t.Errorf("Tx.TicketByNumber = %+v, %v, %v", got, ok, err)
		}
		if _, ok, err := tx.TicketByID(tk.ID + 100); ok || err != nil {
			t.Errorf("Tx.TicketByID(missing) = ok %v, err %v; want false, nil", ok, err)
		}
		if _, ok, err := tx.TicketByNumber("DKP-2026-999999"); ok || err != nil {
			t.Errorf("Tx.TicketByNumber(missing) = ok %v, err %v; want false, nil", ok, err)
		}
		return nil
	})
	if _, ok, err := s.TicketByNumber(ctx, "DKP-2026-999999"); ok || err != nil {
		t.Errorf("TicketByNumber(missing) = ok %v, err %v; want false, nil", ok, err)
	}

	gotEntries, err := s.Entries(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(gotEntries) != len(entries) {
		t.Fatalf("Entries: %d, want %d", len(gotEntries), len(entries))
	}
	for i, e := range entries {
		if !reflect.DeepEqual(gotEntries[i], *e) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, gotEntries[i], *e)
		}
	}

	inTx(t, s, func(tx store.Tx) error {
		txEntries, err := tx.Entries(tk.ID)
		if err != nil || !reflect.DeepEqual(txEntries, gotEntries) {
			t.Errorf("Tx.Entries = %+v, %v; want what Store.Entries returned", txEntries, err)
		}
		first, ok, err := tx.FirstEntry(tk.ID)
		if err != nil || !ok || !reflect.DeepEqual(first, *entries[0]) {
			t.Errorf("FirstEntry = %+v, %v, %v", first, ok, err)
		}
		return nil
	})

	gotJobs, err := s.TicketJobs(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(gotJobs) != len(jobs) {
		t.Fatalf("TicketJobs: %d, want %d", len(gotJobs), len(jobs))
	}
	for i, j := range jobs {
		want := *j
		if want.Mail != nil {
			m := *want.Mail
			m.Date = m.Date.UTC()
			want.Mail = &m
		}
		if !reflect.DeepEqual(gotJobs[i], want) {
			t.Errorf("job %d:\n got %+v\nwant %+v", i, gotJobs[i], want)
		}
	}

	inTx(t, s, func(tx store.Tx) error {
		for _, r := range refs {
			got, ok, err := tx.FindThreadRef([]string{"unknown@x", r.Ref})
			if err != nil || !ok || got != r {
				t.Errorf("FindThreadRef(%q) = %+v, %v, %v; want %+v", r.Ref, got, ok, err, r)
			}
		}
		return nil
	})

	// Update every mutable field and read it back.
	upd := wantTicket
	upd.Sender = inquiry.Address{Address: "other@example.org"}
	upd.ChatID, upd.Subject, upd.MessageID, upd.Language = 0, "Re", "", inquiry.English
	upd.Category, upd.Classifier, upd.Confidence, upd.Reason, upd.NeedsReview = inquiry.PressInquiry, "officer", 1, "", false
	upd.OfficerID, upd.Acted, upd.State, upd.Outcome = "officer2", false, inquiry.Assigned, inquiry.NoOutcome
	upd.DueAt, upd.AnsweredAt, upd.ClosedAt = time.Time{}, time.Time{}, time.Time{}
	upd.UpdatedAt, upd.LinkedTo, upd.Mentions = t0.Add(5*time.Hour), "", ""
	upd.Urgent, upd.Extension, upd.NotHeldMark, upd.Ground = false, nil, nil, ""
	upd.DecidedAt, upd.DecisionInAnswer, upd.Complaints = time.Time{}, false, nil
	// When it was filed is not for an update to change.
	upd.CreatedAt = t0.Add(7 * time.Hour)
	inTx(t, s, func(tx store.Tx) error { return tx.UpdateTicket(&upd) })
	upd.CreatedAt = wantTicket.CreatedAt
	got, _, err = s.TicketByNumber(ctx, tk.Number)
	if err != nil || !reflect.DeepEqual(got, upd) {
		t.Errorf("after UpdateTicket:\n got %+v\nwant %+v (err %v)", got, upd, err)
	}

	// The lifecycle set by an update, on a ticket that had none.
	upd.Urgent, upd.Extension, upd.NotHeldMark = true, wantTicket.Extension, wantTicket.NotHeldMark
	upd.Ground, upd.DecidedAt, upd.Complaints = "classified", t0.Add(6*time.Hour), wantTicket.Complaints[1:]
	inTx(t, s, func(tx store.Tx) error { return tx.UpdateTicket(&upd) })
	got, _, err = s.TicketByNumber(ctx, tk.Number)
	if err != nil || !reflect.DeepEqual(got, upd) {
		t.Errorf("after UpdateTicket setting the lifecycle:\n got %+v\nwant %+v (err %v)", got, upd, err)
	}
}

// testCreatedAtDefault: a ticket filed with no CreatedAt is stamped with
// the time it was written, on the ticket given and in the store.
func testCreatedAtDefault(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	tk := newTicket("DKP-2026-000001", t0)
	before := time.Now()
	inTx(t, s, func(tx store.Tx) error { return tx.CreateTicket(tk) })
	after := time.Now()
	if tk.CreatedAt.Before(before) || tk.CreatedAt.After(after) || tk.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want the time of CreateTicket (%v to %v), in UTC", tk.CreatedAt, before, after)
	}
	got, ok, err := s.TicketByID(context.Background(), tk.ID)
	if err != nil || !ok || !got.CreatedAt.Equal(tk.CreatedAt) {
		t.Errorf("stored CreatedAt = %v (%v, %v), want %v", got.CreatedAt, ok, err, tk.CreatedAt)
	}
}

func testUpdateMissingTicketFails(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ids := createTickets(t, s, 1)
	missing := *newTicket("DKP-2026-000099", t0)
	missing.ID = ids[0] + 1000
	if err := s.WithTx(ctx, func(tx store.Tx) error { return tx.UpdateTicket(&missing) }); err == nil {
		t.Error("UpdateTicket of a missing ticket succeeded")
	}
	if n, err := s.CountTickets(ctx); err != nil || n != 1 {
		t.Errorf("CountTickets after the failed update = %d, %v; want 1 (no upsert)", n, err)
	}
}

// The Reader's TicketByID sees committed tickets only by their own id.
func testTicketByID(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ids := createTickets(t, s, 3)
	for i, id := range ids {
		want := fmt.Sprintf("DKP-2026-%06d", i+1)
		got, ok, err := s.TicketByID(ctx, id)
		if err != nil || !ok || got.ID != id || got.Number != want {
			t.Errorf("TicketByID(%d) = %d %q, %v, %v; want %q", id, got.ID, got.Number, ok, err, want)
		}
		byNumber, _, err := s.TicketByNumber(ctx, want)
		if err != nil || !reflect.DeepEqual(got, byNumber) {
			t.Errorf("TicketByID(%d) and TicketByNumber(%s) differ:\n%+v\n%+v (err %v)", id, want, got, byNumber, err)
		}
	}
	for _, id := range []int64{0, -1, slices.Max(ids) + 1} {
		if got, ok, err := s.TicketByID(ctx, id); ok || err != nil || got.ID != 0 {
			t.Errorf("TicketByID(%d) = %+v, %v, %v; want zero, false, nil", id, got, ok, err)
		}
	}
}

func testCountTickets(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	count := func(want int, when string) {
		t.Helper()
		if n, err := s.CountTickets(ctx); err != nil || n != want {
			t.Errorf("CountTickets %s = %d, %v; want %d", when, n, err, want)
		}
	}
	count(0, "when empty")
	createTickets(t, s, 3)
	count(3, "after three")
	errBoom := errors.New("boom")
	err := s.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateTicket(newTicket("DKP-2026-000100", t0)); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("WithTx = %v, want %v", err, errBoom)
	}
	count(3, "after a rolled-back create")
}

func testNextSequenceConcurrent(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	const workers = 8
	got := make([]int, workers)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Go(func() {
			errs <- s.WithTx(ctx, func(tx store.Tx) error {
				n, err := tx.NextSequence("DKP", 2026)
				got[i] = n
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(got)
	want := []int{1, 2, 3, 4, 5, 6, 7, 8}
	if !slices.Equal(got, want) {
		t.Errorf("sequences %v, want %v", got, want)
	}

	// Counters are per (prefix, year).
	inTx(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			prefix string
			year   int
			want   int
		}{{"DKP", 2027, 1}, {"DKP", 2026, 9}, {"MKRS", 2026, 1}, {"DKP", 2027, 2}} {
			n, err := tx.NextSequence(c.prefix, c.year)
			if err != nil {
				return err
			}
			if n != c.want {
				t.Errorf("NextSequence(%s, %d) = %d, want %d", c.prefix, c.year, n, c.want)
			}
		}
		return nil
	})
}

// testRaiseSequence: a counter raised goes on from there, one already
// past stays where it is (a restore never hands a number out again), and
// a counter not yet used is made at the height asked.
func testRaiseSequence(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	steps := []struct {
		name       string
		prefix     string
		year, last int
		raise      bool // RaiseSequence(last) rather than NextSequence
		want       int
	}{
		{name: "first number", prefix: "DKP", year: 2026, want: 1},
		{name: "raised past it", prefix: "DKP", year: 2026, last: 40, raise: true, want: 40},
		{name: "counts on from the raise", prefix: "DKP", year: 2026, want: 41},
		{name: "a lower raise keeps it", prefix: "DKP", year: 2026, last: 7, raise: true, want: 41},
		{name: "an equal raise keeps it", prefix: "DKP", year: 2026, last: 41, raise: true, want: 41},
		{name: "still counts on", prefix: "DKP", year: 2026, want: 42},
		{name: "an unused counter is made", prefix: "DKP", year: 2027, last: 5, raise: true, want: 5},
		{name: "and counts on", prefix: "DKP", year: 2027, want: 6},
		{name: "other prefixes untouched", prefix: "MKRS", year: 2026, want: 1},
	}
	for _, st := range steps {
		var got int
		inTx(t, s, func(tx store.Tx) (err error) {
			if st.raise {
				got, err = tx.RaiseSequence(st.prefix, st.year, st.last)
			} else {
				got, err = tx.NextSequence(st.prefix, st.year)
			}
			return err
		})
		if got != st.want {
			t.Errorf("%s: %s-%d = %d, want %d", st.name, st.prefix, st.year, got, st.want)
		}
	}
	// A raise rolled back leaves the counter as it was.
	errBoom := errors.New("boom")
	if err := s.WithTx(context.Background(), func(tx store.Tx) error {
		if _, err := tx.RaiseSequence("DKP", 2026, 900); err != nil {
			return err
		}
		return errBoom
	}); !errors.Is(err, errBoom) {
		t.Fatalf("WithTx = %v, want %v", err, errBoom)
	}
	inTx(t, s, func(tx store.Tx) error {
		n, err := tx.NextSequence("DKP", 2026)
		if n != 43 {
			t.Errorf("after a rolled-back raise NextSequence = %d, want 43", n)
		}
		return err
	})
}

// testSequenceWithinOneTx: numbers given one after another in one
// transaction (a batch's tickets), with raises among them, count as they
// would one transaction each; rolled back, they are given again.
func testSequenceWithinOneTx(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	steps := []struct {
		raise bool
		last  int
		want  int
	}{{want: 1}, {want: 2}, {want: 3}, {raise: true, last: 10, want: 10}, {want: 11}, {raise: true, last: 4, want: 11}, {want: 12}}
	inTx(t, s, func(tx store.Tx) error {
		for i, st := range steps {
			var got int
			var err error
			if st.raise {
				got, err = tx.RaiseSequence("DKP", 2026, st.last)
			} else {
				got, err = tx.NextSequence("DKP", 2026)
			}
			if err != nil {
				return err
			}
			if got != st.want {
				t.Errorf("step %d: %d, want %d", i, got, st.want)
			}
		}
		if n, err := tx.NextSequence("DKP", 2027); err != nil || n != 1 {
			t.Errorf("another year in the same transaction: %d, %v; want 1", n, err)
		}
		return nil
	})
	errBoom := errors.New("boom")
	if err := s.WithTx(context.Background(), func(tx store.Tx) error {
		for range 3 {
			if _, err := tx.NextSequence("DKP", 2026); err != nil {
				return err
			}
		}
		return errBoom
	}); !errors.Is(err, errBoom) {
		t.Fatalf("WithTx = %v, want %v", err, errBoom)
	}
	inTx(t, s, func(tx store.Tx) error {
		for _, want := range []int{13, 14} {
			if n, err := tx.NextSequence("DKP", 2026); err != nil || n != want {
				t.Errorf("after a rolled-back transaction: %d, %v; want %d", n, err, want)
			}
		}
		return nil
	})
}

func testWithTxLeavesNothingOnFailure(t *testing.T, open func(t *testing.T) store.Store) {
	errBoom := errors.New("boom")
	cases := []struct {
		name string
		end  func() error // how fn ends after writing everything
	}{
		{"error", func() error { return errBoom }},
		{"panic", func() error { panic(errBoom) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			var err error
			var recovered any
			func() {
				defer func() { recovered = recover() }()
				err = s.WithTx(ctx, func(tx store.Tx) error {
					if _, err := tx.NextSequence("DKP", 2026); err != nil {
						return err
					}
					tk := newTicket("DKP-2026-000001", t0)
					if err := tx.CreateTicket(tk); err != nil {
						return err
					}
					if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Text: "x", CreatedAt: t0}); err != nil {
						return err
					}
					if err := tx.AddJob(&inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobAck, Recipient: "a@b", NextAt: t0, CreatedAt: t0,
						Mail: &inquiry.Mail{MessageID: "ack@x", Date: t0}}); err != nil {
						return err
					}
					if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: "m@x", TicketID: tk.ID}); err != nil {
						return err
					}
					if err := tx.MarkSource("msgid:m@x", tk.ID, t0); err != nil {
						return err
					}
					if err := tx.AddSetAside(&inquiry.SetAside{Kind: inquiry.SetAsideMachine, SourceID: "s", ReceivedAt: t0}); err != nil {
						return err
					}
					return c.end()
				})
			}()
			switch c.name {
			case "error":
				if recovered != nil || !errors.Is(err, errBoom) {
					t.Fatalf("WithTx = %v (panic %v), want fn's error", err, recovered)
				}
			case "panic":
				// The panic may go on up or become an error, but never a commit.
				if recovered == nil && err == nil {
					t.Fatal("WithTx swallowed fn's panic and reported success")
				}
				if recovered != nil && recovered != errBoom {
					t.Fatalf("panic = %v, want fn's panic %v", recovered, errBoom)
				}
			}

			if n, err := s.CountTickets(ctx); err != nil || n != 0 {
				t.Errorf("tickets after rollback: %d (%v)", n, err)
			}
			if jobs := allJobs(t, s); len(jobs) != 0 {
				t.Errorf("jobs after rollback: %v", jobs)
			}
			if sa, err := s.ListSetAside(ctx, "", 0); err != nil || len(sa) != 0 {
				t.Errorf("set-aside after rollback: %v (%v)", sa, err)
			}
			for _, ref := range []string{"m@x", "ack@x"} {
				if _, ok, err := s.ThreadRef(ctx, ref); ok || err != nil {
					t.Errorf("ThreadRef(%s) after rollback: ok %v (err %v)", ref, ok, err)
				}
			}
			inTx(t, s, func(tx store.Tx) error {
				if _, seen, err := tx.SourceTicket("msgid:m@x"); seen || err != nil {
					t.Errorf("source seen after rollback (err %v)", err)
				}
				if _, ok, err := tx.FindThreadRef([]string{"m@x"}); ok || err != nil {
					t.Errorf("thread ref kept after rollback (err %v)", err)
				}
				if n, err := tx.NextSequence("DKP", 2026); n != 1 || err != nil {
					t.Errorf("sequence after rollback = %d (%v), want 1", n, err)
				}
				return nil
			})
		})
	}
}

func testMarkSource(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	var ticketID int64
	inTx(t, s, func(tx store.Tx) error {
		tk := newTicket("DKP-2026-000001", t0)
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		ticketID = tk.ID
		if err := tx.MarkSource("msgid:a@x", tk.ID, t0); err != nil {
			return err
		}
		return tx.MarkSource("imap:INBOX:1:7", 0, t0)
	})
	inTx(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			source   string
			wantID   int64
			wantSeen bool
		}{{"msgid:a@x", ticketID, true}, {"imap:INBOX:1:7", 0, true}, {"msgid:new@x", 0, false}} {
			id, seen, err := tx.SourceTicket(c.source)
			if err != nil || id != c.wantID || seen != c.wantSeen {
				t.Errorf("SourceTicket(%q) = %d, %v, %v; want %d, %v", c.source, id, seen, err, c.wantID, c.wantSeen)
			}
		}
		return nil
	})
	for _, source := range []string{"msgid:a@x", "imap:INBOX:1:7"} {
		err := s.WithTx(context.Background(), func(tx store.Tx) error { return tx.MarkSource(source, 0, t0) })
		if !errors.Is(err, store.ErrSourceTaken) {
			t.Errorf("second MarkSource(%s): err = %v, want ErrSourceTaken", source, err)
		}
	}
	// The committed read sees the same, for many sources at once.
	many := []string{"msgid:new@x", "msgid:a@x", "imap:INBOX:1:7"}
	for i := range 450 { // more than one statement's worth of parameters
		many = append(many, fmt.Sprintf("msgid:other-%d@x", i))
	}
	taken, err := s.SourcesTaken(context.Background(), many)
	if err != nil {
		t.Fatal(err)
	}
	if len(taken) != 2 || !taken["msgid:a@x"] || !taken["imap:INBOX:1:7"] {
		t.Errorf("SourcesTaken = %v, want exactly msgid:a@x and imap:INBOX:1:7", taken)
	}
	if taken, err := s.SourcesTaken(context.Background(), nil); err != nil || len(taken) != 0 {
		t.Errorf("SourcesTaken(nil) = %v, %v", taken, err)
	}
	// The failed second mark changed nothing.
	inTx(t, s, func(tx store.Tx) error {
		if id, seen, err := tx.SourceTicket("msgid:a@x"); err != nil || !seen || id != ticketID {
			t.Errorf("SourceTicket after a second mark = %d, %v, %v; want %d", id, seen, err, ticketID)
		}
		return nil
	})
}

// testMarkSourceConcurrent: writers taking one message in at once (two
// instances, a redelivery racing the first) file it once; every other is
// told ErrSourceTaken, nothing else, and leaves no ticket behind.
func testMarkSourceConcurrent(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	const writers = 8
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			errs[i] = s.WithTx(context.Background(), func(tx store.Tx) error {
				tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0)
				if err := tx.CreateTicket(tk); err != nil {
					return err
				}
				return tx.MarkSource("msgid:same@x", tk.ID, t0)
			})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrSourceTaken):
			t.Errorf("writer %d: %v, want ErrSourceTaken or success", i, err)
		}
	}
	if n, err := s.CountTickets(context.Background()); err != nil || won != 1 || n != 1 {
		t.Errorf("%d writers filed the message, %d tickets (%v); want exactly 1", won, n, err)
	}
}

func testFindThreadRefOrder(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ids := createTickets(t, s, 2)
	inTx(t, s, func(tx store.Tx) error {
		if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: "one@x", TicketID: ids[0]}); err != nil {
			return err
		}
		if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: "two@x", TicketID: ids[1], Kind: inquiry.JobAck}); err != nil {
			return err
		}
		// A known ref keeps its first ticket.
		return tx.AddThreadRef(inquiry.ThreadRef{Ref: "one@x", TicketID: ids[1]})
	})
	many := make([]string, 450) // more than a driver would bind in one IN list
	for i := range many {
		many[i] = fmt.Sprintf("nope%d@x", i)
	}
	many[430] = "two@x"
	cases := []struct {
		name   string
		refs   []string
		want   int64
		wantOK bool
	}{
		{"none", nil, 0, false},
		{"unknown", []string{"a@x", "b@x"}, 0, false},
		{"first wins", []string{"two@x", "one@x"}, ids[1], true},
		{"first wins reversed", []string{"x@x", "one@x", "two@x"}, ids[0], true},
		{"later chunk", many, ids[1], true},
	}
	inTx(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			got, ok, err := tx.FindThreadRef(c.refs)
			if err != nil || ok != c.wantOK || got.TicketID != c.want {
				t.Errorf("%s: FindThreadRef = %+v, %v, %v; want ticket %d, %v", c.name, got, ok, err, c.want, c.wantOK)
			}
		}
		return nil
	})
}

// The Message-ID of mail in the outbox is a thread reference of its own: a
// reply to a notification names its ticket and the officer it went to.
func testFindThreadRefFindsOutboxMail(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ticketID := createTickets(t, s, 1)[0]
	inTx(t, s, func(tx store.Tx) error {
		for _, j := range []*inquiry.Job{
			{TicketID: ticketID, Kind: inquiry.JobNotify, Recipient: "jusuf", Mail: &inquiry.Mail{MessageID: "sportel.notify.1@mkrs.example", Date: t0}},
			{TicketID: ticketID, Kind: inquiry.JobAck, Recipient: "arben@example.net", Mail: &inquiry.Mail{MessageID: "sportel.ack.1@mkrs.example", Date: t0}},
		} {
			if err := tx.AddJob(j); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		ref     string
		kind    inquiry.JobKind
		officer string
	}{
		{"sportel.notify.1@mkrs.example", inquiry.JobNotify, "jusuf"},
		{"sportel.ack.1@mkrs.example", inquiry.JobAck, ""},
	}
	inTx(t, s, func(tx store.Tx) error {
		for _, tt := range tests {
			got, ok, err := tx.FindThreadRef([]string{"unknown@x", tt.ref})
			if err != nil || !ok || got.TicketID != ticketID || got.Kind != tt.kind || got.OfficerID != tt.officer {
				t.Errorf("FindThreadRef(%s) = %+v, %v, %v; want ticket %d kind %s officer %q", tt.ref, got, ok, err, ticketID, tt.kind, tt.officer)
			}
		}
		return nil
	})
}

// The Reader's ThreadRef finds both kinds of reference FindThreadRef does:
// explicit ones and the Message-IDs of a ticket's outbox mail.
func testThreadRef(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ids := createTickets(t, s, 2)
	inTx(t, s, func(tx store.Tx) error {
		if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: "tg:555:901", TicketID: ids[0], Kind: inquiry.JobNotify, OfficerID: "officer7"}); err != nil {
			return err
		}
		if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: "citizen@example.org", TicketID: ids[1]}); err != nil {
			return err
		}
		for _, j := range []*inquiry.Job{
			{TicketID: ids[1], Kind: inquiry.JobNotify, Recipient: "jusuf", Mail: &inquiry.Mail{MessageID: "notify.2@sportel", Date: t0}},
			{TicketID: ids[1], Kind: inquiry.JobAck, Recipient: "a@x", Mail: &inquiry.Mail{MessageID: "ack.2@sportel", Date: t0}},
			// Mail that belongs to no ticket leads nowhere.
			{Kind: inquiry.JobQuarantined, Recipient: "catchall", Mail: &inquiry.Mail{MessageID: "quarantined.1@sportel", Date: t0}},
		} {
			if err := tx.AddJob(j); err != nil {
				return err
			}
		}
		return nil
	})
	cases := []struct {
		ref    string
		want   inquiry.ThreadRef
		wantOK bool
	}{
		{"tg:555:901", inquiry.ThreadRef{Ref: "tg:555:901", TicketID: ids[0], Kind: inquiry.JobNotify, OfficerID: "officer7"}, true},
		{"citizen@example.org", inquiry.ThreadRef{Ref: "citizen@example.org", TicketID: ids[1]}, true},
		{"notify.2@sportel", inquiry.ThreadRef{Ref: "notify.2@sportel", TicketID: ids[1], Kind: inquiry.JobNotify, OfficerID: "jusuf"}, true},
		{"ack.2@sportel", inquiry.ThreadRef{Ref: "ack.2@sportel", TicketID: ids[1], Kind: inquiry.JobAck}, true},
		{"quarantined.1@sportel", inquiry.ThreadRef{}, false},
		{"unknown@x", inquiry.ThreadRef{}, false},
		{"", inquiry.ThreadRef{}, false},
	}
	for _, c := range cases {
		got, ok, err := s.ThreadRef(ctx, c.ref)
		if err != nil || ok != c.wantOK || got != c.want {
			t.Errorf("ThreadRef(%q) = %+v, %v, %v; want %+v, %v", c.ref, got, ok, err, c.want, c.wantOK)
		}
	}

	// ThreadRefs answers the same for all of them at once, also when they
	// are many (SQLite looks them up a few hundred a statement) and the
	// known ones come after the first few hundred.
	var refs []string
	want := make(map[string]inquiry.ThreadRef)
	for i := range 450 {
		refs = append(refs, fmt.Sprintf("unknown.%d@x", i))
	}
	for i, c := range cases {
		refs = slices.Insert(refs, 60*i+50, c.ref)
		if c.wantOK {
			want[c.ref] = c.want
		}
	}
	refs = append(refs, cases[0].ref) // twice
	got, err := s.ThreadRefs(ctx, refs)
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("ThreadRefs(%d refs) = %+v, %v; want %+v", len(refs), got, err, want)
	}
	if got, err := s.ThreadRefs(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("ThreadRefs(nil) = %+v, %v; want none", got, err)
	}

	// A ref a driver cannot store as it is (PostgreSQL's text holds no NUL)
	// is answered under the ref as asked, as ThreadRef answers it.
	odd := "odd\x00ref@example.org"
	inTx(t, s, func(tx store.Tx) error {
		return tx.AddThreadRef(inquiry.ThreadRef{Ref: odd, TicketID: ids[0]})
	})
	one, ok, err := s.ThreadRef(ctx, odd)
	if err != nil || !ok {
		t.Fatalf("ThreadRef(%q) = %+v, %v, %v; want it known", odd, one, ok, err)
	}
	if got, err := s.ThreadRefs(ctx, []string{"unknown@x", odd}); err != nil || len(got) != 1 || got[odd] != one {
		t.Errorf("ThreadRefs(%q) = %+v, %v; want {%q: %+v}", odd, got, err, odd, one)
	}
}

// testSetEntryKind: a held answer once sent becomes an answer, in the
// transaction that changes it and after, and is then read as one (by
// LastEntries of its new kind, no longer of its old); an entry that does
// not exist is an error, and the failed call changes nothing.
func testSetEntryKind(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ids := createTickets(t, s, 1)
	held := &inquiry.Entry{TicketID: ids[0], Kind: inquiry.EntryHeldAnswer, Author: "officer1", Text: "Përgjigja", CreatedAt: t0}
	other := &inquiry.Entry{TicketID: ids[0], Kind: inquiry.EntryHeldAnswer, Text: "another", CreatedAt: t0}
	inTx(t, s, func(tx store.Tx) error {
		for _, e := range []*inquiry.Entry{held, other} {
			if err := tx.AddEntry(e); err != nil {
				return err
			}
		}
		return nil
	})
	kinds := func(entries []inquiry.Entry) []string {
		var out []string
		for _, e := range entries {
			out = append(out, fmt.Sprintf("%d:%s", e.ID, e.Kind))
		}
		return out
	}
	inTx(t, s, func(tx store.Tx) error {
		if err := tx.SetEntryKind(held.ID, inquiry.EntryAnswer); err != nil {
			return err
		}
		answers, err := tx.LastEntries(ids[0], inquiry.EntryAnswer, 10)
		if err != nil {
			return err
		}
		stillHeld, err := tx.LastEntries(ids[0], inquiry.EntryHeldAnswer, 10)
		if err != nil {
			return err
		}
		if got, want := kinds(answers), []string{fmt.Sprintf("%d:answer", held.ID)}; !slices.Equal(got, want) {
			t.Errorf("answers in the changing transaction = %v, want %v", got, want)
		}
		if got, want := kinds(stillHeld), []string{fmt.Sprintf("%d:held_answer", other.ID)}; !slices.Equal(got, want) {
			t.Errorf("held answers in the changing transaction = %v, want %v", got, want)
		}
		return nil
	})
	err := s.WithTx(ctx, func(tx store.Tx) error { return tx.SetEntryKind(other.ID+1000, inquiry.EntryAnswer) })
	if err == nil {
		t.Error("SetEntryKind of an entry that does not exist succeeded")
	}
	entries, err := s.Entries(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("%d:answer", held.ID), fmt.Sprintf("%d:held_answer", other.ID)}
	if got := kinds(entries); !slices.Equal(got, want) {
		t.Errorf("entries after = %v, want %v", got, want)
	}
	if e, ok, err := s.Entry(ctx, ids[0], held.ID); err != nil || !ok || e.Text != held.Text || e.Author != held.Author {
		t.Errorf("Entry(%d) = %+v, %v, %v; want its text and author as they were", held.ID, e, ok, err)
	}
}

func testFirstEntry(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	kindsByTicket := [][]inquiry.EntryKind{
		{inquiry.EntryNote, inquiry.EntryInbound, inquiry.EntryAnswer, inquiry.EntryInbound},
		{inquiry.EntryNote, inquiry.EntryAutomated},
		{},
	}
	ids := make([]int64, len(kindsByTicket))
	wantText := []string{"ticket 0 entry 1", "", ""}
	inTx(t, s, func(tx store.Tx) error {
		for i, kinds := range kindsByTicket {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0)
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			ids[i] = tk.ID
			for k, kind := range kinds {
				e := &inquiry.Entry{TicketID: tk.ID, Kind: kind, Text: fmt.Sprintf("ticket %d entry %d", i, k), CreatedAt: t0}
				if err := tx.AddEntry(e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	inTx(t, s, func(tx store.Tx) error {
		for i, id := range ids {
			e, ok, err := tx.FirstEntry(id)
			if err != nil {
				return err
			}
			if ok != (wantText[i] != "") || e.Text != wantText[i] {
				t.Errorf("ticket %d: FirstEntry = %q, %v; want %q", i, e.Text, ok, wantText[i])
			}
			if ok && e.Kind != inquiry.EntryInbound {
				t.Errorf("ticket %d: FirstEntry kind %s", i, e.Kind)
			}
		}
		return nil
	})
}

func testLatestChatTicket(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	chats := []int64{100, 200, 100, 0, 100, 200}
	numbers := make([]string, len(chats))
	inTx(t, s, func(tx store.Tx) error {
		for i, chat := range chats {
			// Received times run backwards: "newest" means last filed.
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0.Add(-time.Duration(i)*time.Minute))
			tk.Channel, tk.ChatID = inquiry.ChannelTelegram, chat
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			numbers[i] = tk.Number
		}
		return nil
	})
	cases := []struct {
		chat int64
		want string
	}{{100, numbers[4]}, {200, numbers[5]}, {300, ""}}
	inTx(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			tk, ok, err := tx.LatestChatTicket(c.chat)
			if err != nil {
				return err
			}
			if ok != (c.want != "") || tk.Number != c.want {
				t.Errorf("LatestChatTicket(%d) = %q, %v; want %q", c.chat, tk.Number, ok, c.want)
			}
		}
		return nil
	})
}

func testListTicketsFilter(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	type spec struct {
		officer string
		state   inquiry.State
		cat     inquiry.Category
		channel inquiry.Channel
		addr    string
		chat    int64
		offset  time.Duration
	}
	specs := []spec{
		{"o1", inquiry.Assigned, inquiry.DocumentRequest, inquiry.ChannelEmail, "Arta@Example.org", 0, 3 * time.Hour},
		{"o1", inquiry.Closed, inquiry.PressInquiry, inquiry.ChannelEmail, "press@news.example", 0, time.Hour},
		{"o2", inquiry.Answered, inquiry.GeneralQuestion, inquiry.ChannelTelegram, "", 4242, 2 * time.Hour},
		{"o2", inquiry.Assigned, inquiry.DocumentRequest, inquiry.ChannelEmail, "arta@example.org", 0, 4 * time.Hour},
		{"o1", inquiry.SpamMail, inquiry.GeneralQuestion, inquiry.ChannelEmail, "spam@x", 0, 0},
		// Received together with the one before: ID breaks the tie.
		{"o3", inquiry.Assigned, inquiry.GeneralQuestion, inquiry.ChannelEmail, "tie@x", 0, 0},
	}
	numbers := make([]string, len(specs))
	inTx(t, s, func(tx store.Tx) error {
		for i, sp := range specs {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0.Add(sp.offset))
			tk.OfficerID, tk.State, tk.Category, tk.Channel, tk.Sender.Address, tk.ChatID = sp.officer, sp.state, sp.cat, sp.channel, sp.addr, sp.chat
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			numbers[i] = tk.Number
		}
		return nil
	})
	cases := []struct {
		name   string
		filter inquiry.TicketFilter
		want   []int // indexes into specs, in expected order
	}{
		{"all by received", inquiry.TicketFilter{}, []int{4, 5, 1, 2, 0, 3}},
		{"open states", inquiry.TicketFilter{States: []inquiry.State{inquiry.Assigned, inquiry.Answered}}, []int{5, 2, 0, 3}},
		{"officer", inquiry.TicketFilter{OfficerID: "o1"}, []int{4, 1, 0}},
		{"category", inquiry.TicketFilter{Category: inquiry.DocumentRequest}, []int{0, 3}},
		{"channel", inquiry.TicketFilter{Channel: inquiry.ChannelTelegram}, []int{2}},
		{"sender any case", inquiry.TicketFilter{SenderAddress: "ARTA@example.ORG"}, []int{0, 3}},
		{"chat", inquiry.TicketFilter{ChatID: 4242}, []int{2}},
		{"combined", inquiry.TicketFilter{OfficerID: "o2", States: []inquiry.State{inquiry.Assigned}}, []int{3}},
		{"limit", inquiry.TicketFilter{Limit: 2}, []int{4, 5}},
		{"limit after filter", inquiry.TicketFilter{OfficerID: "o1", Limit: 2}, []int{4, 1}},
		{"no match", inquiry.TicketFilter{OfficerID: "nobody"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkListed(t, s, c.filter, numbers, c.want)
		})
	}
	// A transaction sees the tickets it wrote and has not committed.
	err := s.WithTx(ctx, func(tx store.Tx) error {
		tk := newTicket("DKP-2026-000099", t0)
		tk.OfficerID, tk.State = "o9", inquiry.Assigned
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		got, err := tx.ListTickets(inquiry.TicketFilter{OfficerID: "o9"})
		if err != nil {
			return err
		}
		if nums := ticketNumbers(got); !slices.Equal(nums, []string{"DKP-2026-000099"}) {
			t.Errorf("Tx.ListTickets inside the writing transaction: %v", nums)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("WithTx: %v, want the rollback error", err)
	}
	if got, err := s.ListTickets(ctx, inquiry.TicketFilter{OfficerID: "o9"}); err != nil || len(got) != 0 {
		t.Errorf("after rollback: %v, %v", ticketNumbers(got), err)
	}
}

// testSenderAddressCase: a sender's address matches in any ASCII case and
// only so (inquiry.TicketFilter.SenderAddress), whatever the database's
// locale: "Ç" and "ç" are two addresses' letters, as SQLite's lower() has
// them, and as a transaction's own look-ups (the SQLite store's primed
// absences) have them.
func testSenderAddressCase(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	addrs := []string{"Çela@Shembull.al", "çela@shembull.al", "ЉУБА@primer.rs"}
	numbers := make([]string, len(addrs))
	inTx(t, s, func(tx store.Tx) error {
		for i, a := range addrs {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0)
			tk.Sender.Address = a
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			numbers[i] = tk.Number
		}
		return nil
	})
	cases := []struct {
		addr string
		want []int
	}{
		{"ÇELA@SHEMBULL.AL", []int{0}},
		{"çela@Shembull.AL", []int{1}},
		{"ЉУБА@PRIMER.RS", []int{2}},
		{"љуба@primer.rs", nil},
	}
	for _, c := range cases {
		checkListed(t, s, inquiry.TicketFilter{SenderAddress: c.addr}, numbers, c.want)
		page, err := s.ListTicketPage(ctx, inquiry.TicketFilter{SenderAddress: c.addr}, store.PageAt{Size: 10})
		if err != nil || len(page.Tickets) != len(c.want) {
			t.Errorf("ListTicketPage(sender %q) = %d tickets, %v; want %d", c.addr, len(page.Tickets), err, len(c.want))
		}
	}
}

// testListTicketsPages: the filters a list page needs are the store's,
// so that Limit reads the first of the filtered list, newest first when
// asked (the web's queue pages with ListTicketPage).
func testListTicketsPages(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	type spec struct {
		received time.Duration // after t0
		lang     inquiry.Language
		due      time.Duration // after t0; 0: no deadline
		urgent   bool
		state    inquiry.State
		filed    time.Duration // after received
	}
	specs := []spec{
		{0, inquiry.Albanian, 10 * time.Hour, false, inquiry.Assigned, 0},
		// Taken in four hours late: filed after the next three.
		{time.Hour, inquiry.English, 0, true, inquiry.Assigned, 4 * time.Hour},
		{2 * time.Hour, inquiry.Albanian, 30 * time.Hour, false, inquiry.Answered, time.Nanosecond},
		{3 * time.Hour, inquiry.SerbianLatin, 50 * time.Hour, true, inquiry.Assigned, 0},
		{4 * time.Hour, inquiry.Albanian, 70 * time.Hour, false, inquiry.Closed, 0},
		// Received with the one before: ID breaks the tie, both ways.
		{4 * time.Hour, inquiry.Albanian, 0, false, inquiry.Assigned, 0},
	}
	numbers := make([]string, len(specs))
	inTx(t, s, func(tx store.Tx) error {
		for i, sp := range specs {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0.Add(sp.received))
			tk.Language, tk.Urgent, tk.State = sp.lang, sp.urgent, sp.state
			tk.CreatedAt = tk.ReceivedAt.Add(sp.filed)
			if sp.due != 0 {
				tk.DueAt = t0.Add(sp.due)
			}
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			numbers[i] = tk.Number
		}
		return nil
	})
	openStates := []inquiry.State{inquiry.Assigned, inquiry.Answered}
	cases := []struct {
		name   string
		filter inquiry.TicketFilter
		want   []int // indexes into specs, in order
	}{
		{"newest first", inquiry.TicketFilter{NewestFirst: true}, []int{5, 4, 3, 2, 1, 0}},
		{"first page", inquiry.TicketFilter{Limit: 2}, []int{0, 1}},
		{"first page of a filtered list, newest first", inquiry.TicketFilter{States: openStates, NewestFirst: true, Limit: 2}, []int{5, 3}},
		{"language", inquiry.TicketFilter{Language: inquiry.Albanian}, []int{0, 2, 4, 5}},
		{"received from", inquiry.TicketFilter{ReceivedFrom: t0.Add(3 * time.Hour)}, []int{3, 4, 5}},
		{"received before", inquiry.TicketFilter{ReceivedBefore: t0.Add(time.Hour)}, []int{0}},
		{"received from to the nanosecond", inquiry.TicketFilter{ReceivedFrom: t0.Add(time.Nanosecond), ReceivedBefore: t0.Add(2*time.Hour + time.Nanosecond)}, []int{1, 2}},
		// Filed is not received: the late ticket is in the window it was
		// filed in, ordered still by when it was received.
		{"filed from", inquiry.TicketFilter{CreatedFrom: t0.Add(3 * time.Hour)}, []int{1, 3, 4, 5}},
		{"filed before", inquiry.TicketFilter{CreatedBefore: t0.Add(2 * time.Hour)}, []int{0}},
		{"filed from to the nanosecond", inquiry.TicketFilter{CreatedFrom: t0.Add(2*time.Hour + time.Nanosecond), CreatedBefore: t0.Add(3 * time.Hour)}, []int{2}},
		{"filed before to the nanosecond", inquiry.TicketFilter{CreatedFrom: t0.Add(2*time.Hour + 2*time.Nanosecond), CreatedBefore: t0.Add(3*time.Hour + time.Nanosecond)}, []int{3}},
		{"filed in a window, open", inquiry.TicketFilter{CreatedFrom: t0.Add(4 * time.Hour), CreatedBefore: t0.Add(6 * time.Hour), States: openStates}, []int{1, 5}},
		{"due before: no deadline is not due", inquiry.TicketFilter{DueBefore: t0.Add(31 * time.Hour)}, []int{0, 2}},
		{"due from", inquiry.TicketFilter{DueFrom: t0.Add(30 * time.Hour)}, []int{2, 3, 4}},
		{"due between", inquiry.TicketFilter{DueFrom: t0.Add(30*time.Hour + time.Nanosecond), DueBefore: t0.Add(70 * time.Hour)}, []int{3}},
		{"urgent", inquiry.TicketFilter{Urgent: true}, []int{1, 3}},
		{"urgent, open, Albanian", inquiry.TicketFilter{Urgent: true, States: openStates, Language: inquiry.Albanian}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkListed(t, s, c.filter, numbers, c.want)
		})
	}
}

// errRollback makes WithTx roll back.
var errRollback = errors.New("roll back")

func ticketNumbers(ts []inquiry.Ticket) []string {
	var nums []string
	for _, tk := range ts {
		nums = append(nums, tk.Number)
	}
	return nums
}

func testSetAside(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	items := []*inquiry.SetAside{
		{Kind: inquiry.SetAsideMachine, SourceID: "msgid:bounce@x", From: "MAILER-DAEMON@x", Subject: "Undelivered",
			Reason: "bounce for unknown message", ReceivedAt: t0.In(cet), Raw: []byte("raw\x00bounce")},
		{Kind: inquiry.SetAsideQuarantine, SourceID: "imap:INBOX:3:9", Reason: "no sender, no content", ReceivedAt: t0.Add(time.Minute)},
		{Kind: inquiry.SetAsideMachine, SourceID: "msgid:ooo@x", From: "ooo@x", ReceivedAt: t0.Add(2 * time.Minute)},
	}
	inTx(t, s, func(tx store.Tx) error {
		for _, it := range items {
			if err := tx.AddSetAside(it); err != nil {
				return err
			}
		}
		return nil
	})
	if items[0].ID == 0 || items[1].ID <= items[0].ID || items[2].ID <= items[1].ID {
		t.Fatalf("ids not set in order: %d %d %d", items[0].ID, items[1].ID, items[2].ID)
	}
	want := func(i int) inquiry.SetAside { w := *items[i]; w.ReceivedAt = w.ReceivedAt.UTC(); return w }
	cases := []struct {
		kind  inquiry.SetAsideKind
		limit int
		want  []inquiry.SetAside
	}{
		{"", 0, []inquiry.SetAside{want(2), want(1), want(0)}},
		{inquiry.SetAsideMachine, 0, []inquiry.SetAside{want(2), want(0)}},
		{inquiry.SetAsideQuarantine, 0, []inquiry.SetAside{want(1)}},
		{"", 1, []inquiry.SetAside{want(2)}},
		{inquiry.SetAsideMachine, 1, []inquiry.SetAside{want(2)}},
	}
	for _, c := range cases {
		got, err := s.ListSetAside(ctx, c.kind, c.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ListSetAside(%q, %d):\n got %+v\nwant %+v", c.kind, c.limit, got, c.want)
		}
	}
}

// testConcurrentTicketChanges: two transactions that each read a ticket,
// change a field of it and write it back never write over each other (an
// officer's mail command and a close from the web workspace, say): the
// second to read waits for the first to commit and sees what it wrote.
// read is each way a transaction reads the ticket it will change.
func testConcurrentTicketChanges(t *testing.T, open func(t *testing.T) store.Store) {
	reads := []struct {
		name string
		read func(tx store.Tx, tk *inquiry.Ticket) (inquiry.Ticket, bool, error)
	}{
		{"by number", func(tx store.Tx, tk *inquiry.Ticket) (inquiry.Ticket, bool, error) {
			return tx.TicketByNumber(tk.Number)
		}},
		{"by id", func(tx store.Tx, tk *inquiry.Ticket) (inquiry.Ticket, bool, error) { return tx.TicketByID(tk.ID) }},
		{"latest of its chat", func(tx store.Tx, tk *inquiry.Ticket) (inquiry.Ticket, bool, error) {
			return tx.LatestChatTicket(tk.ChatID)
		}},
	}
	for _, r := range reads {
		t.Run(r.name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			tk := newTicket("DKP-2026-000001", t0)
			tk.Channel, tk.ChatID = inquiry.ChannelTelegram, 7001
			inTx(t, s, func(tx store.Tx) error { return tx.CreateTicket(tk) })

			read := make(chan struct{})
			closed := make(chan error, 1)
			err := s.WithTx(ctx, func(tx store.Tx) error {
				cur, ok, err := r.read(tx, tk)
				if err != nil || !ok {
					return fmt.Errorf("read: %v, %v", ok, err)
				}
				close(read)
				go func() {
					<-read
					closed <- s.WithTx(ctx, func(tx store.Tx) error {
						other, ok, err := r.read(tx, tk)
						if err != nil || !ok {
							return fmt.Errorf("second read: %v, %v", ok, err)
						}
						other.State, other.Outcome = inquiry.Closed, inquiry.Granted
						return tx.UpdateTicket(&other)
					})
				}()
				// The other transaction has every chance to write first.
				select {
				case err := <-closed:
					closed <- err
				case <-time.After(300 * time.Millisecond):
				}
				cur.Urgent = true
				return tx.UpdateTicket(&cur)
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := <-closed; err != nil {
				t.Fatal(err)
			}
			got, _, err := s.TicketByNumber(ctx, tk.Number)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != inquiry.Closed || got.Outcome != inquiry.Granted || !got.Urgent {
				t.Errorf("after both changes: state %s, outcome %q, urgent %v; want closed, granted, urgent", got.State, got.Outcome, got.Urgent)
			}
		})
	}
}

// checkListed checks that the store, and a transaction on it, list the
// tickets numbers[want...] for filter, in that order.
func checkListed(t *testing.T, s store.Store, filter inquiry.TicketFilter, numbers []string, want []int) {
	t.Helper()
	var wantNums []string
	for _, i := range want {
		wantNums = append(wantNums, numbers[i])
	}
	got, err := s.ListTickets(context.Background(), filter)
	if err != nil {
		t.Fatal(err)
	}
	if gotNums := ticketNumbers(got); !slices.Equal(gotNums, wantNums) {
		t.Errorf("Store.ListTickets: got %v, want %v", gotNums, wantNums)
	}
	// The transaction's ListTickets filters the same way.
	inTx(t, s, func(tx store.Tx) error {
		got, err := tx.ListTickets(filter)
		if err != nil {
			return err
		}
		if gotNums := ticketNumbers(got); !slices.Equal(gotNums, wantNums) {
			t.Errorf("Tx.ListTickets: got %v, want %v", gotNums, wantNums)
		}
		return nil
	})
}
