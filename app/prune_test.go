package app

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
)

// The running daemon prunes what is kept only for a while, on its own, as
// soon as it leads: sign-in attempts, links and sessions past their
// periods, sent sign-in mails, the chat progress notes of ended jobs.
// What still counts stays: a live session, a link not yet used, the
// attempts of the limit's window, every other job. They are written
// through the store's own calls, dated as months of use would leave them.
func TestDaemonPrunes(t *testing.T) {
	s := newMemStack(t)
	ctx := context.Background()
	now := time.Now()
	a := s.open()
	st := a.store
	old := now.Add(-100 * 24 * time.Hour) // its 40 days end past every period kept
	const days = 40
	for d := range days {
		at := old.Add(time.Duration(d) * 24 * time.Hour)
		if ok, err := st.AllowSignInAttempt(ctx, []string{"addr:jusuf@mkrs.example", fmt.Sprintf("ip:10.0.0.%d", d)}, at, 15*time.Minute, 5); err != nil || !ok {
			t.Fatalf("AllowSignInAttempt = %v, %v", ok, err)
		}
		if err := st.AddSignInLink(ctx, "old-link-"+strconv.Itoa(d), "jusuf", at, at.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateSession(ctx, &store.WebSession{TokenHash: "old-session-" + strconv.Itoa(d), OfficerID: "jusuf", CreatedAt: at, LastSeen: at}); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := st.AllowSignInAttempt(ctx, []string{"addr:zamira@mkrs.example"}, now, 15*time.Minute, 5); err != nil || !ok {
		t.Fatalf("AllowSignInAttempt = %v, %v", ok, err)
	}
	if err := st.AddSignInLink(ctx, "fresh-link", "zamira", now, now.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSession(ctx, &store.WebSession{TokenHash: "fresh-session", OfficerID: "zamira", CreatedAt: now, LastSeen: now}); err != nil {
		t.Fatal(err)
	}
	// A sign-in mail and an acknowledgement sent months ago, and a
	// Telegram answer sent with its progress note left behind.
	var ids []int64
	for _, j := range []*inquiry.Job{
		{Kind: inquiry.JobSignIn, Recipient: "jusuf", Mail: &inquiry.Mail{MessageID: "sportel.signin.old@mkrs.example", Date: old, Text: "link"}},
		{Kind: inquiry.JobAck, Recipient: "arta@example.org", Mail: &inquiry.Mail{MessageID: "sportel.ack.old@mkrs.example", Date: old, Text: "ack"}},
		{Kind: inquiry.JobAnswer, Recipient: "tg:1001", Chat: &inquiry.ChatMessage{ChatID: 1001, Text: "answer"}},
	} {
		j.NextAt, j.CreatedAt = old, old
		if err := st.WithTx(ctx, func(tx store.Tx) error { return tx.AddJob(j) }); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	if claimed, err := st.ClaimJobs(ctx, "before", old, time.Minute, 10); err != nil || len(claimed) != len(ids) {
		t.Fatalf("claimed %d (%v)", len(claimed), err)
	}
	var sent []store.SentJob
	for _, id := range ids {
		sent = append(sent, store.SentJob{ID: id, Ref: "ref"})
	}
	if lost, err := st.FinishJobs(ctx, "before", sent, old); err != nil || len(lost) > 0 {
		t.Fatalf("FinishJobs: lost %v, %v", lost, err)
	}
	note := store.ChatPartsStatePrefix + strconv.FormatInt(ids[2], 10)
	if err := st.SetState(ctx, note, `{"sent":2,"ref":"tg:1001:7"}`); err != nil {
		t.Fatal(err)
	}
	a.Close()

	db, err := sql.Open("sqlite", s.cfg.Store.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rows := func(query string) int {
		var n int
		if err := db.QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	counts := func() string {
		return fmt.Sprintf("attempts %d, links %d, sessions %d, jobs %d, notes %d",
			rows(`SELECT COUNT(*) FROM web_signin_attempts`), rows(`SELECT COUNT(*) FROM web_signin_links`),
			rows(`SELECT COUNT(*) FROM web_sessions`), rows(`SELECT COUNT(*) FROM jobs`),
			rows(`SELECT COUNT(*) FROM kv_state WHERE key LIKE 'outbox.chat%'`))
	}
	// SQLite drops attempts past the window as it records one (the last
	// attempt's); PostgreSQL only a key's own (the contract suite).
	if got, want := counts(), fmt.Sprintf("attempts 1, links %d, sessions %d, jobs 3, notes 1", days+1, days+1); got != want {
		t.Fatalf("before the daemon runs: %s, want %s", got, want)
	}

	a, stop := s.serve()
	defer stop()
	want := "attempts 1, links 1, sessions 1, jobs 2, notes 0"
	testutil.Eventually(t, "the daemon prunes: "+want, 20*time.Second, func() (bool, error) {
		return counts() == want, nil
	})
	if _, ok, err := a.store.TouchSession(ctx, "fresh-session", time.Now(), store.SessionLimits{Idle: time.Hour}); err != nil || !ok {
		t.Errorf("live session after the prune: %v, %v", ok, err)
	}
	if officer, ok, err := a.store.UseSignInLink(ctx, "fresh-link", time.Now()); err != nil || !ok || officer != "zamira" {
		t.Errorf("fresh link after the prune: %q, %v, %v", officer, ok, err)
	}
	jobs := allJobStates(t, a)
	if _, ok := jobs[ids[0]]; ok {
		t.Errorf("sent sign-in mail of months ago kept")
	}
	if jobs[ids[1]] != inquiry.JobDone || jobs[ids[2]] != inquiry.JobDone {
		t.Errorf("jobs after the prune: %v; want the acknowledgement and the answer kept", jobs)
	}
	if !strings.Contains(s.logs.String(), "pruned what is kept only for a while") {
		t.Error("the prune was not logged")
	}
}

// allJobStates maps every job's id to its state.
func allJobStates(t *testing.T, a *App) map[int64]inquiry.JobState {
	t.Helper()
	out := map[int64]inquiry.JobState{}
	for _, st := range []inquiry.JobState{inquiry.JobPending, inquiry.JobDone, inquiry.JobFailed, inquiry.JobCancelled} {
		jobs, err := a.store.ListJobs(context.Background(), st, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			out[j.ID] = j.State
		}
	}
	return out
}
