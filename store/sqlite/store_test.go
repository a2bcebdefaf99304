package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/store/sqlite"
)

// *sqlite.Tx has exactly desk.Tx's method set.
var _ desk.Tx = (*sqlite.Tx)(nil)

// The store serves the desk through desk.AdaptStore, as cmd wires it.
var _ desk.TxStore[*sqlite.Tx] = (*sqlite.Store)(nil)

// cet makes sure times given in another zone come back as the same instant.
var cet = time.FixedZone("CET", 3600)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

func openTemp(t testing.TB) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sportel.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s, path
}

func inTx(t testing.TB, s *sqlite.Store, fn func(tx *sqlite.Tx) error) {
	t.Helper()
	if err := s.WithTx(context.Background(), fn); err != nil {
		t.Fatalf("WithTx: %v", err)
	}
}

func newTicket(number string, received time.Time) *inquiry.Ticket {
	return &inquiry.Ticket{
		Number: number, Channel: inquiry.ChannelEmail,
		Sender:   inquiry.Address{Name: "Arta Krasniqi", Address: "arta@example.org"},
		Language: inquiry.Albanian, Category: inquiry.DocumentRequest, Classifier: "builtin", Confidence: 0.9,
		OfficerID: "officer1", State: inquiry.Assigned, ReceivedAt: received, UpdatedAt: received,
	}
}

func rawQueryInt(t *testing.T, path, query string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestMigrationsIdempotentOnReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sportel.db")
	for i := range 3 {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		inTx(t, s, func(tx *sqlite.Tx) error {
			return tx.CreateTicket(newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0))
		})
		n, err := s.CountTickets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != i+1 {
			t.Errorf("open #%d: %d tickets, want %d (data kept across reopen)", i+1, n, i+1)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got := rawQueryInt(t, path, `SELECT COUNT(*) FROM schema_version`); got != latestVersion {
		t.Errorf("schema_version has %d rows after three opens, want %d", got, latestVersion)
	}
	if got := rawQueryInt(t, path, `SELECT MAX(version) FROM schema_version`); got != latestVersion {
		t.Errorf("schema version %d, want %d", got, latestVersion)
	}
}

// latestVersion is the number of the newest file in migrations/.
const latestVersion = 2

func TestOpenUpgradesOlderSchema(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	inTx(t, s, func(tx *sqlite.Tx) error { return tx.CreateTicket(newTicket("DKP-2026-000001", t0)) })

	// Turn the file back into a version 1 database.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP INDEX tickets_chat`,
		`CREATE INDEX tickets_chat ON tickets (chat_id) WHERE chat_id <> 0`,
		`ALTER TABLE tickets DROP COLUMN message_id`,
		`ALTER TABLE tickets DROP COLUMN acted`,
		`DELETE FROM schema_version WHERE version > 1`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s2, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen a version 1 database: %v", err)
	}
	defer s2.Close()
	if got := rawQueryInt(t, path, `SELECT MAX(version) FROM schema_version`); got != latestVersion {
		t.Errorf("schema version after upgrade %d, want %d", got, latestVersion)
	}
	tk, ok, err := s2.TicketByNumber(ctx, "DKP-2026-000001")
	if err != nil || !ok || tk.MessageID != "" || tk.Acted {
		t.Errorf("ticket after upgrade = %+v, %v, %v; want kept with new fields empty", tk, ok, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	_, path := openTemp(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 'x')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = sqlite.Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open with schema 99: err = %v, want a 'newer' error", err)
	}
}

func TestOpenMemory(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	inTx(t, s, func(tx *sqlite.Tx) error { return tx.CreateTicket(newTicket("DKP-2026-000001", t0)) })
	// Every connection to :memory: is a new database, so this shows reads
	// and writes share one connection.
	if n, err := s.CountTickets(ctx); err != nil || n != 1 {
		t.Fatalf("CountTickets = %d, %v; want 1", n, err)
	}
}

func TestTicketRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)

	tk := &inquiry.Ticket{
		Number: "DKP-2026-000042", Channel: inquiry.ChannelTelegram,
		Sender: inquiry.Address{Name: "Марко Јовановић", Address: "marko@example.rs"}, ChatID: -100123456789,
		Subject: "Захтев за документ", MessageID: "abc@example.rs", Language: inquiry.SerbianCyrl, Category: inquiry.DocumentRequest,
		Classifier: "llm:qwen", Confidence: 0.8125, Reason: "asks for a decision", NeedsReview: true,
		OfficerID: "officer7", Acted: true, State: inquiry.Closed, Outcome: inquiry.PartlyGranted,
		ReceivedAt: t0.In(cet), DueAt: t0.Add(15 * 24 * time.Hour), AnsweredAt: t0.Add(time.Hour + time.Nanosecond),
		ClosedAt: t0.Add(2 * time.Hour), UpdatedAt: t0.Add(3 * time.Hour), LinkedTo: "DKP-2026-000007",
		Mentions: "DKP-2025-000100",
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
			Buttons: [][]inquiry.Button{{{Text: "Close", Data: "close:42"}, {Text: "Open", URL: "https://example.gov/t/42"}}},
		}, State: inquiry.JobDone, Attempts: 2, NextAt: t0.Add(time.Minute), LastError: "429 too many requests",
			CreatedAt: t0, FinishedAt: t0.Add(2 * time.Minute), SentRef: "777"},
	}
	refs := []inquiry.ThreadRef{
		{Ref: "abc@example.rs", Kind: ""},
		{Ref: "ack.42@sportel.example.gov", Kind: inquiry.JobAck},
		{Ref: "tg:555:777", Kind: inquiry.JobNotify, OfficerID: "officer7"},
	}

	inTx(t, s, func(tx *sqlite.Tx) error {
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
	wantTicket.ReceivedAt = tk.ReceivedAt.UTC()

	got, ok, err := s.TicketByNumber(ctx, tk.Number)
	if err != nil || !ok {
		t.Fatalf("TicketByNumber: ok=%v err=%v", ok, err)
	}
	if !reflect.DeepEqual(got, wantTicket) {
		t.Errorf("TicketByNumber:\n got %+v\nwant %+v", got, wantTicket)
	}
	inTx(t, s, func(tx *sqlite.Tx) error {
		got, ok, err := tx.TicketByID(tk.ID)
		if err != nil || !ok || !reflect.DeepEqual(got, wantTicket) {
			t.Errorf("TicketByID = %+v, %v, %v", got, ok, err)
		}
		if _, ok, err := tx.TicketByID(tk.ID + 100); ok || err != nil {
			t.Errorf("TicketByID(missing) = ok %v, err %v; want false, nil", ok, err)
		}
		if _, ok, err := tx.TicketByNumber("DKP-2026-999999"); ok || err != nil {
			t.Errorf("TicketByNumber(missing) = ok %v, err %v; want false, nil", ok, err)
		}
		return nil
	})

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

	inTx(t, s, func(tx *sqlite.Tx) error {
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

	inTx(t, s, func(tx *sqlite.Tx) error {
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
	inTx(t, s, func(tx *sqlite.Tx) error { return tx.UpdateTicket(&upd) })
	got, _, err = s.TicketByNumber(ctx, tk.Number)
	if err != nil || !reflect.DeepEqual(got, upd) {
		t.Errorf("after UpdateTicket:\n got %+v\nwant %+v (err %v)", got, upd, err)
	}
	missing := upd
	missing.ID = 9999
	if err := s.WithTx(ctx, func(tx *sqlite.Tx) error { return tx.UpdateTicket(&missing) }); err == nil {
		t.Error("UpdateTicket of a missing ticket succeeded")
	}
}

func TestNextSequenceConcurrent(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	const workers = 8
	got := make([]int, workers)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Go(func() {
			errs <- s.WithTx(ctx, func(tx *sqlite.Tx) error {
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
	inTx(t, s, func(tx *sqlite.Tx) error {
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

func TestWithTxLeavesNothingOnFailure(t *testing.T) {
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
			s, _ := openTemp(t)
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil && r != errBoom {
						t.Fatalf("unexpected panic %v", r)
					}
				}()
				err = s.WithTx(ctx, func(tx *sqlite.Tx) error {
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
					if err := tx.AddJob(&inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobAck, Recipient: "a@b", NextAt: t0, CreatedAt: t0}); err != nil {
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
			if c.name == "error" && !errors.Is(err, errBoom) {
				t.Fatalf("WithTx error = %v, want fn's error", err)
			}

			if n, err := s.CountTickets(ctx); err != nil || n != 0 {
				t.Errorf("tickets after rollback: %d (%v)", n, err)
			}
			if jobs, err := s.ListJobs(ctx, "", 0); err != nil || len(jobs) != 0 {
				t.Errorf("jobs after rollback: %v (%v)", jobs, err)
			}
			if sa, err := s.ListSetAside(ctx, "", 0); err != nil || len(sa) != 0 {
				t.Errorf("set-aside after rollback: %v (%v)", sa, err)
			}
			inTx(t, s, func(tx *sqlite.Tx) error {
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

func TestMarkSource(t *testing.T) {
	s, _ := openTemp(t)
	var ticketID int64
	inTx(t, s, func(tx *sqlite.Tx) error {
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
	inTx(t, s, func(tx *sqlite.Tx) error {
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
	err := s.WithTx(context.Background(), func(tx *sqlite.Tx) error { return tx.MarkSource("msgid:a@x", 0, t0) })
	if !errors.Is(err, sqlite.ErrSourceTaken) {
		t.Errorf("second MarkSource: err = %v, want ErrSourceTaken", err)
	}
}

func TestFindThreadRefOrder(t *testing.T) {
	s, _ := openTemp(t)
	var ids [2]int64
	inTx(t, s, func(tx *sqlite.Tx) error {
		for i := range ids {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0)
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			ids[i] = tk.ID
		}
		if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: "one@x", TicketID: ids[0]}); err != nil {
			return err
		}
		if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: "two@x", TicketID: ids[1], Kind: inquiry.JobAck}); err != nil {
			return err
		}
		// A known ref keeps its first ticket.
		return tx.AddThreadRef(inquiry.ThreadRef{Ref: "one@x", TicketID: ids[1]})
	})
	many := make([]string, 450) // spans several IN chunks
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
	inTx(t, s, func(tx *sqlite.Tx) error {
		for _, c := range cases {
			got, ok, err := tx.FindThreadRef(c.refs)
			if err != nil || ok != c.wantOK || got.TicketID != c.want {
				t.Errorf("%s: FindThreadRef = %+v, %v, %v; want ticket %d, %v", c.name, got, ok, err, c.want, c.wantOK)
			}
		}
		return nil
	})
}

func addJobs(t testing.TB, s *sqlite.Store, n int, nextAt func(i int) time.Time) []int64 {
	t.Helper()
	ids := make([]int64, n)
	inTx(t, s, func(tx *sqlite.Tx) error {
		for i := range n {
			j := &inquiry.Job{Kind: inquiry.JobAck, Recipient: fmt.Sprintf("r%d@x", i), NextAt: nextAt(i), CreatedAt: t0,
				Mail: &inquiry.Mail{MessageID: fmt.Sprintf("job%d@sportel", i), Date: t0, Text: "x"}}
			if err := tx.AddJob(j); err != nil {
				return err
			}
			ids[i] = j.ID
		}
		return nil
	})
	return ids
}

func TestClaimJobsTwoOwnersNeverShare(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	const total = 60
	addJobs(t, s, total, func(i int) time.Time { return t0.Add(time.Duration(i%7) * time.Second) })

	now := t0.Add(time.Minute)
	claimed := make(map[string][]int64)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, owner := range []string{"worker-a", "worker-b"} {
		wg.Go(func() {
			// Each round claims at least one job, so more rounds than jobs
			// means jobs are being handed out again.
			for round := 0; ; round++ {
				if round > total {
					t.Errorf("%s: still claiming after %d rounds", owner, round)
					return
				}
				jobs, err := s.ClaimJobs(ctx, owner, now, time.Hour, 4)
				if err != nil {
					t.Errorf("%s: ClaimJobs: %v", owner, err)
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, j := range jobs {
					claimed[owner] = append(claimed[owner], j.ID)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	seen := map[int64]string{}
	for owner, ids := range claimed {
		for _, id := range ids {
			if other, dup := seen[id]; dup {
				t.Errorf("job %d claimed by %s and %s", id, other, owner)
			}
			seen[id] = owner
		}
	}
	if len(seen) != total {
		t.Errorf("%d distinct jobs claimed, want %d", len(seen), total)
	}
	t.Logf("claims: worker-a %d, worker-b %d", len(claimed["worker-a"]), len(claimed["worker-b"]))
}

func TestClaimJobsOrderAndDue(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	// Due times out of insertion order; one in the future.
	offsets := []time.Duration{3 * time.Second, 1 * time.Second, time.Hour, 1 * time.Second, 2 * time.Second}
	ids := addJobs(t, s, len(offsets), func(i int) time.Time { return t0.Add(offsets[i]) })
	jobs, err := s.ClaimJobs(ctx, "w", t0.Add(10*time.Second), time.Minute, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, j := range jobs {
		got = append(got, j.ID)
		if j.Attempts != 1 {
			t.Errorf("job %d attempts %d, want 1", j.ID, j.Attempts)
		}
		if j.Mail == nil || j.Mail.MessageID == "" {
			t.Errorf("job %d came back without its mail", j.ID)
		}
	}
	want := []int64{ids[1], ids[3], ids[4]} // next_at 1s, 1s (by id), 2s
	if !slices.Equal(got, want) {
		t.Errorf("claimed %v, want %v", got, want)
	}
	jobs, err = s.ClaimJobs(ctx, "w", t0.Add(10*time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].ID != ids[0] {
		t.Errorf("second claim got %v, want only job %d (the future one is not due)", jobs, ids[0])
	}
}

func TestExpiredLeaseIsReclaimable(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	ids := addJobs(t, s, 1, func(int) time.Time { return t0 })
	lease := time.Minute

	first, err := s.ClaimJobs(ctx, "old", t0, lease, 10)
	if err != nil || len(first) != 1 {
		t.Fatalf("first claim: %v, %v", first, err)
	}
	if again, err := s.ClaimJobs(ctx, "new", t0.Add(lease/2), lease, 10); err != nil || len(again) != 0 {
		t.Fatalf("claim during a live lease returned %v, %v", again, err)
	}
	second, err := s.ClaimJobs(ctx, "new", t0.Add(2*lease), lease, 10)
	if err != nil || len(second) != 1 || second[0].ID != ids[0] {
		t.Fatalf("claim after the lease expired: %v, %v", second, err)
	}
	if second[0].Attempts != 2 {
		t.Errorf("attempts %d after two claims, want 2", second[0].Attempts)
	}

	err = s.FinishJob(ctx, ids[0], "old", "ref-old", t0.Add(2*lease))
	if !errors.Is(err, sqlite.ErrLeaseLost) || !strings.Contains(err.Error(), "claimed by new") {
		t.Errorf("old owner's FinishJob: err = %v, want lease lost to new", err)
	}
	// The outbox finishes in batches: the job the old owner lost comes back
	// as lost and stays with the new owner.
	lost, err := s.FinishJobs(ctx, "old", map[int64]string{ids[0]: "ref-old"}, t0.Add(2*lease))
	if err != nil || len(lost) != 1 || lost[0] != ids[0] {
		t.Errorf("old owner's FinishJobs: lost %v, err %v; want [%d]", lost, err, ids[0])
	}
	if err := s.RetryJob(ctx, ids[0], "old", t0, "x"); !errors.Is(err, sqlite.ErrLeaseLost) {
		t.Errorf("old owner's RetryJob: err = %v, want ErrLeaseLost", err)
	}
	if err := s.FinishJob(ctx, ids[0], "new", "ref-new", t0.Add(2*lease)); err != nil {
		t.Fatalf("new owner's FinishJob: %v", err)
	}
	jobs, err := s.ListJobs(ctx, inquiry.JobDone, 0)
	if err != nil || len(jobs) != 1 || jobs[0].SentRef != "ref-new" {
		t.Errorf("done jobs = %+v, %v; want one with ref-new", jobs, err)
	}
}

func TestJobTransitions(t *testing.T) {
	ctx := context.Background()
	later := t0.Add(10 * time.Minute)
	cases := []struct {
		name   string
		settle func(s *sqlite.Store, id int64, owner string) error
		want   func(j inquiry.Job) string // "" if j is as expected
		// dueAgainAt is when the job can be claimed again; zero: never.
		dueAgainAt time.Time
	}{
		{
			name: "retry",
			settle: func(s *sqlite.Store, id int64, owner string) error {
				return s.RetryJob(ctx, id, owner, later, "421 try again")
			},
			want: func(j inquiry.Job) string {
				if j.State != inquiry.JobPending || !j.NextAt.Equal(later) || j.LastError != "421 try again" || !j.FinishedAt.IsZero() {
					return "want pending, next_at later, last_error set, no finished_at"
				}
				return ""
			},
			dueAgainAt: later,
		},
		{
			name: "fail",
			settle: func(s *sqlite.Store, id int64, owner string) error {
				return s.FailJob(ctx, id, owner, "550 no such user", t0.Add(time.Second))
			},
			want: func(j inquiry.Job) string {
				if j.State != inquiry.JobFailed || j.LastError != "550 no such user" || !j.FinishedAt.Equal(t0.Add(time.Second)) {
					return "want failed, last_error, finished_at"
				}
				return ""
			},
		},
		{
			name: "finish",
			settle: func(s *sqlite.Store, id int64, owner string) error {
				return s.FinishJob(ctx, id, owner, "tg:555:901", t0.Add(time.Second))
			},
			want: func(j inquiry.Job) string {
				if j.State != inquiry.JobDone || j.SentRef != "tg:555:901" || !j.FinishedAt.Equal(t0.Add(time.Second)) || j.LastError != "" {
					return "want done, sent_ref, finished_at"
				}
				return ""
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := openTemp(t)
			ids := addJobs(t, s, 1, func(int) time.Time { return t0 })
			if err := c.settle(s, ids[0], "w"); !errors.Is(err, sqlite.ErrLeaseLost) {
				t.Errorf("settle before claim: err = %v, want ErrLeaseLost", err)
			}
			if _, err := s.ClaimJobs(ctx, "w", t0, time.Minute, 1); err != nil {
				t.Fatal(err)
			}
			if err := c.settle(s, ids[0], "other"); !errors.Is(err, sqlite.ErrLeaseLost) {
				t.Errorf("settle by another owner: err = %v, want ErrLeaseLost", err)
			}
			if err := c.settle(s, ids[0], "w"); err != nil {
				t.Fatalf("settle: %v", err)
			}
			jobs, err := s.ListJobs(ctx, "", 0)
			if err != nil || len(jobs) != 1 {
				t.Fatalf("ListJobs: %v, %v", jobs, err)
			}
			if msg := c.want(jobs[0]); msg != "" {
				t.Errorf("job after %s: %+v: %s", c.name, jobs[0], msg)
			}
			if c.name != "retry" {
				if err := c.settle(s, ids[0], "w"); !errors.Is(err, sqlite.ErrLeaseLost) {
					t.Errorf("settling an ended job again: err = %v, want ErrLeaseLost", err)
				}
			}
			// Even far beyond any lease, only a retried job comes back.
			farFuture := t0.Add(24 * time.Hour)
			for _, at := range []time.Time{later.Add(-time.Second), farFuture} {
				got, err := s.ClaimJobs(ctx, "w2", at, time.Minute, 1)
				if err != nil {
					t.Fatal(err)
				}
				wantN := 0
				if !c.dueAgainAt.IsZero() && !at.Before(c.dueAgainAt) {
					wantN = 1
				}
				if len(got) != wantN {
					t.Errorf("claim at %v after %s: got %d jobs, want %d", at, c.name, len(got), wantN)
				}
			}
		})
	}
	s, _ := openTemp(t)
	if err := s.FinishJob(ctx, 12345, "w", "", t0); err == nil || !strings.Contains(err.Error(), "no such job") {
		t.Errorf("FinishJob of a missing job: err = %v", err)
	}
}

func TestNextJobAt(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if _, ok, err := s.NextJobAt(ctx); ok || err != nil {
		t.Fatalf("NextJobAt on empty outbox = ok %v, err %v", ok, err)
	}
	// Due times: t0+1s, t0+5s, t0+2h.
	addJobs(t, s, 3, func(i int) time.Time { return t0.Add([]time.Duration{time.Second, 5 * time.Second, 2 * time.Hour}[i]) })

	steps := []struct {
		name string
		act  func() error
		want time.Time
	}{
		{"all pending", func() error { return nil }, t0.Add(time.Second)},
		{"first claimed: due at its lease end", func() error {
			_, err := s.ClaimJobs(ctx, "w", t0.Add(2*time.Second), time.Minute, 1)
			return err
		}, t0.Add(5 * time.Second)},
		{"second claimed too: earliest lease end", func() error {
			_, err := s.ClaimJobs(ctx, "w", t0.Add(6*time.Second), 10*time.Second, 1)
			return err
		}, t0.Add(16 * time.Second)},
		{"both finished", func() error {
			jobs, err := s.ListJobs(ctx, inquiry.JobPending, 0)
			if err != nil {
				return err
			}
			for _, j := range jobs {
				if j.NextAt.Before(t0.Add(time.Hour)) {
					if err := s.FinishJob(ctx, j.ID, "w", "", t0.Add(20*time.Second)); err != nil {
						return err
					}
				}
			}
			return nil
		}, t0.Add(2 * time.Hour)},
	}
	for _, st := range steps {
		if err := st.act(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		at, ok, err := s.NextJobAt(ctx)
		if err != nil || !ok || !at.Equal(st.want) {
			t.Errorf("%s: NextJobAt = %v, %v, %v; want %v", st.name, at, ok, err, st.want)
		}
	}
}

func TestCountJobsWindow(t *testing.T) {
	s, _ := openTemp(t)
	inTx(t, s, func(tx *sqlite.Tx) error {
		for _, j := range []inquiry.Job{
			{Kind: inquiry.JobAck, Recipient: "a@x", CreatedAt: t0.Add(-2 * time.Hour)},
			{Kind: inquiry.JobAck, Recipient: "a@x", CreatedAt: t0.Add(-time.Hour)},
			{Kind: inquiry.JobAck, Recipient: "a@x", CreatedAt: t0},
			{Kind: inquiry.JobAck, Recipient: "a@x", CreatedAt: t0.Add(time.Nanosecond)},
			{Kind: inquiry.JobNotify, Recipient: "a@x", CreatedAt: t0},
			{Kind: inquiry.JobAck, Recipient: "b@x", CreatedAt: t0},
		} {
			if err := tx.AddJob(&j); err != nil {
				return err
			}
		}
		return nil
	})
	cases := []struct {
		kind      inquiry.JobKind
		recipient string
		since     time.Time
		want      int
	}{
		{inquiry.JobAck, "a@x", t0.Add(-3 * time.Hour), 4},
		{inquiry.JobAck, "a@x", t0.Add(-time.Hour), 3},
		{inquiry.JobAck, "a@x", t0, 2}, // inclusive at since
		{inquiry.JobAck, "a@x", t0.Add(time.Nanosecond), 1},
		{inquiry.JobAck, "a@x", t0.Add(time.Second), 0},
		{inquiry.JobAck, "a@x", t0.In(cet).Add(-time.Hour), 3}, // zone does not matter
		{inquiry.JobNotify, "a@x", t0.Add(-time.Hour), 1},
		{inquiry.JobAck, "b@x", t0.Add(-time.Hour), 1},
		{inquiry.JobAck, "c@x", t0.Add(-time.Hour), 0},
	}
	inTx(t, s, func(tx *sqlite.Tx) error {
		for _, c := range cases {
			n, err := tx.CountJobs(c.kind, c.recipient, c.since)
			if err != nil {
				return err
			}
			if n != c.want {
				t.Errorf("CountJobs(%s, %s, %v) = %d, want %d", c.kind, c.recipient, c.since, n, c.want)
			}
		}
		return nil
	})
}

func TestListTicketsFilter(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
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
	}
	numbers := make([]string, len(specs))
	inTx(t, s, func(tx *sqlite.Tx) error {
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
		filter sqlite.TicketFilter
		want   []int // indexes into specs, in expected order
	}{
		{"all by received", sqlite.TicketFilter{}, []int{4, 1, 2, 0, 3}},
		{"open states", sqlite.TicketFilter{States: []inquiry.State{inquiry.Assigned, inquiry.Answered}}, []int{2, 0, 3}},
		{"officer", sqlite.TicketFilter{OfficerID: "o1"}, []int{4, 1, 0}},
		{"category", sqlite.TicketFilter{Category: inquiry.DocumentRequest}, []int{0, 3}},
		{"channel", sqlite.TicketFilter{Channel: inquiry.ChannelTelegram}, []int{2}},
		{"sender any case", sqlite.TicketFilter{SenderAddress: "ARTA@example.ORG"}, []int{0, 3}},
		{"chat", sqlite.TicketFilter{ChatID: 4242}, []int{2}},
		{"combined", sqlite.TicketFilter{OfficerID: "o2", States: []inquiry.State{inquiry.Assigned}}, []int{3}},
		{"limit", sqlite.TicketFilter{Limit: 2}, []int{4, 1}},
		{"no match", sqlite.TicketFilter{OfficerID: "nobody"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.ListTickets(ctx, c.filter)
			if err != nil {
				t.Fatal(err)
			}
			var gotNums, wantNums []string
			for _, tk := range got {
				gotNums = append(gotNums, tk.Number)
			}
			for _, i := range c.want {
				wantNums = append(wantNums, numbers[i])
			}
			if !slices.Equal(gotNums, wantNums) {
				t.Errorf("got %v, want %v", gotNums, wantNums)
			}
		})
	}
	if n, err := s.CountTickets(ctx); err != nil || n != len(specs) {
		t.Errorf("CountTickets = %d, %v; want %d", n, err, len(specs))
	}
}

func TestSetAside(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	items := []*inquiry.SetAside{
		{Kind: inquiry.SetAsideMachine, SourceID: "msgid:bounce@x", From: "MAILER-DAEMON@x", Subject: "Undelivered",
			Reason: "bounce for unknown message", ReceivedAt: t0.In(cet), Raw: []byte("raw\x00bounce")},
		{Kind: inquiry.SetAsideQuarantine, SourceID: "imap:INBOX:3:9", Reason: "no sender, no content", ReceivedAt: t0.Add(time.Minute)},
		{Kind: inquiry.SetAsideMachine, SourceID: "msgid:ooo@x", From: "ooo@x", ReceivedAt: t0.Add(2 * time.Minute)},
	}
	inTx(t, s, func(tx *sqlite.Tx) error {
		for _, it := range items {
			if err := tx.AddSetAside(it); err != nil {
				return err
			}
		}
		return nil
	})
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

func TestCheckpointsAndState(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)

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
			if v, u, _ := s.LoadCheckpoint(ctx, k); v != want[0] || u != want[1] {
				t.Errorf("LoadCheckpoint(%s) = %d, %d; want %v (unchanged)", k, v, u, want)
			}
		}
	}

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

	// Values survive a reopen.
	s2, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v, _, _ := s2.GetState(ctx, "telegram.offset"); v != "101" {
		t.Errorf("after reopen telegram.offset = %q, want 101", v)
	}
	if v, u, _ := s2.LoadCheckpoint(ctx, "other/INBOX"); v != 7 || u != 3 {
		t.Errorf("after reopen checkpoint = %d, %d; want 7, 3", v, u)
	}
}

func TestCallsHonourContext(t *testing.T) {
	s, _ := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.CountTickets(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("CountTickets with a cancelled ctx: err = %v", err)
	}
	if err := s.WithTx(ctx, func(*sqlite.Tx) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("WithTx with a cancelled ctx: err = %v", err)
	}
}

// BenchmarkIntakeTx is the database cost of taking in one message.
func BenchmarkIntakeTx(b *testing.B) {
	ctx := context.Background()
	s, _ := openTemp(b)
	raw := []byte(strings.Repeat("x", 4096))
	i := 0
	for b.Loop() {
		i++
		err := s.WithTx(ctx, func(tx *sqlite.Tx) error {
			seq, err := tx.NextSequence("DKP", 2026)
			if err != nil {
				return err
			}
			tk := newTicket(inquiry.FormatNumber("DKP", 2026, seq), t0)
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arta@example.org",
				Text: "Kërkoj kopjen e vendimit.", Raw: raw, CreatedAt: t0}); err != nil {
				return err
			}
			for _, k := range []inquiry.JobKind{inquiry.JobAck, inquiry.JobNotify} {
				if err := tx.AddJob(&inquiry.Job{TicketID: tk.ID, Kind: k, Recipient: "arta@example.org", NextAt: t0, CreatedAt: t0,
					Mail: &inquiry.Mail{MessageID: fmt.Sprintf("%s.%d@sportel", k, seq), Date: t0, Text: "Faleminderit."}}); err != nil {
					return err
				}
			}
			return tx.MarkSource(fmt.Sprintf("msgid:%d@example.org", i), tk.ID, t0)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func TestFirstEntry(t *testing.T) {
	s, _ := openTemp(t)
	kindsByTicket := [][]inquiry.EntryKind{
		{inquiry.EntryNote, inquiry.EntryInbound, inquiry.EntryAnswer, inquiry.EntryInbound},
		{inquiry.EntryNote, inquiry.EntryAutomated},
		{},
	}
	ids := make([]int64, len(kindsByTicket))
	wantText := []string{"ticket 0 entry 1", "", ""}
	inTx(t, s, func(tx *sqlite.Tx) error {
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
	inTx(t, s, func(tx *sqlite.Tx) error {
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

func TestLatestChatTicket(t *testing.T) {
	s, _ := openTemp(t)
	chats := []int64{100, 200, 100, 0, 100, 200}
	numbers := make([]string, len(chats))
	inTx(t, s, func(tx *sqlite.Tx) error {
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
	inTx(t, s, func(tx *sqlite.Tx) error {
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

func TestSynchronousOption(t *testing.T) {
	tests := []struct {
		level   string
		want    int // PRAGMA synchronous: 1 NORMAL, 2 FULL
		wantErr bool
	}{
		{"", 2, false},
		{"normal", 1, false},
		{"full", 2, false},
		{"off", 0, true},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "s.db")
		s, err := sqlite.OpenWith(context.Background(), path, sqlite.Options{Synchronous: tt.level})
		if tt.wantErr {
			if err == nil {
				s.Close()
				t.Errorf("synchronous %q: no error", tt.level)
			}
			continue
		}
		if err != nil {
			t.Fatalf("synchronous %q: %v", tt.level, err)
		}
		got := s.PragmaForTest(t, "synchronous")
		s.Close()
		if got != tt.want {
			t.Errorf("synchronous %q: PRAGMA synchronous = %d, want %d", tt.level, got, tt.want)
		}
	}
}

// The Message-ID of mail in the outbox is a thread reference of its own: a
// reply to a notification names its ticket and the officer it went to.
func TestFindThreadRefFindsOutboxMail(t *testing.T) {
	s, _ := openTemp(t)
	var ticketID int64
	inTx(t, s, func(tx *sqlite.Tx) error {
		tk := newTicket("DKP-2026-000001", t0)
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		ticketID = tk.ID
		for _, j := range []*inquiry.Job{
			{TicketID: tk.ID, Kind: inquiry.JobNotify, Recipient: "jusuf", Mail: &inquiry.Mail{MessageID: "sportel.notify.1@mkrs.example", Date: t0}},
			{TicketID: tk.ID, Kind: inquiry.JobAck, Recipient: "arben@example.net", Mail: &inquiry.Mail{MessageID: "sportel.ack.1@mkrs.example", Date: t0}},
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
	inTx(t, s, func(tx *sqlite.Tx) error {
		for _, tt := range tests {
			got, ok, err := tx.FindThreadRef([]string{"unknown@x", tt.ref})
			if err != nil || !ok || got.TicketID != ticketID || got.Kind != tt.kind || got.OfficerID != tt.officer {
				t.Errorf("FindThreadRef(%s) = %+v, %v, %v; want ticket %d kind %s officer %q", tt.ref, got, ok, err, ticketID, tt.kind, tt.officer)
			}
		}
		return nil
	})
}
