package storetest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// RowCounter is what a driver's tests may add to its store so that the
// suite can see that what Prune keeps stays bounded: the rows a table
// holds. Without it the suite checks what the contract shows alone.
type RowCounter interface {
	RowsForTest(t testing.TB, table string) int
}

const day = 24 * time.Hour

// testPruneWeb runs the workspace's sign-in for two months as officers use
// it — sign-in requests from client addresses never seen again, links
// used and links left to expire, sessions used and left or signed out —
// with a prune pass a day, and checks that what the store holds stays a
// few days' worth, and that the prune never takes what still counts: a
// live session, a link not yet expired, the attempts of the limit's
// window.
func testPruneWeb(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	rows, _ := s.(RowCounter)
	const (
		days, perDay  = 60, 4
		window, limit = 15 * time.Minute, 5
	)
	// Live at any idle time the test asks about: what ListSessions then
	// returns is what the prune kept, revoked sessions aside.
	anyIdle := store.SessionLimits{Idle: days * day}
	var now time.Time
	type session struct {
		id       int64
		lastSeen time.Time
		revoked  bool
	}
	var sessions []session
	var pruned store.Pruned
	for d := range days {
		now = tw.Add(time.Duration(d) * day)
		for i := range perDay {
			at := now.Add(time.Duration(i) * time.Minute)
			ok, err := s.AllowSignInAttempt(ctx, []string{"addr:jusuf@mkrs.example", fmt.Sprintf("ip:10.0.%d.%d", d, i)}, at, window, limit)
			if err != nil || !ok {
				t.Fatalf("day %d: AllowSignInAttempt = %v, %v", d, ok, err)
			}
			hash := fmt.Sprintf("link-%d-%d", d, i)
			if err := s.AddSignInLink(ctx, hash, "jusuf", at, at.Add(15*time.Minute)); err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				if _, ok, err := s.UseSignInLink(ctx, hash, at.Add(time.Minute)); err != nil || !ok {
					t.Fatalf("day %d: UseSignInLink = %v, %v", d, ok, err)
				}
			}
			ws := &store.WebSession{TokenHash: fmt.Sprintf("session-%d-%d", d, i), OfficerID: "jusuf", CreatedAt: at, LastSeen: at}
			if err := s.CreateSession(ctx, ws); err != nil {
				t.Fatal(err)
			}
			seen := at.Add(time.Hour)
			if _, ok, err := s.TouchSession(ctx, ws.TokenHash, seen, store.SessionLimits{Idle: 8 * time.Hour}); err != nil || !ok {
				t.Fatalf("day %d: TouchSession = %v, %v", d, ok, err)
			}
			revoked := i == perDay-1 // signed out
			if revoked {
				if ok, err := s.RevokeSession(ctx, ws.ID, seen); err != nil || !ok {
					t.Fatalf("day %d: RevokeSession = %v, %v", d, ok, err)
				}
			}
			sessions = append(sessions, session{ws.ID, seen, revoked})
		}
		p, err := s.Prune(ctx, now.Add(3*time.Hour))
		if err != nil {
			t.Fatalf("day %d: Prune: %v", d, err)
		}
		pruned.SignInAttempts += p.SignInAttempts
		pruned.SignInLinks += p.SignInLinks
		pruned.Sessions += p.Sessions
		if rows == nil {
			continue
		}
		// A few days' worth, however long the daemon has run.
		for _, b := range []struct {
			table string
			max   int
		}{
			{"web_signin_attempts", 2 * perDay * int(store.KeepSignInAttempts/day+1)},
			{"web_signin_links", perDay * int(store.KeepSignInLinks/day+1)},
			{"web_sessions", perDay * int(store.KeepSessions/day+1)},
		} {
			if n := rows.RowsForTest(t, b.table); n > b.max {
				t.Fatalf("day %d: %s holds %d rows, want at most %d", d, b.table, n, b.max)
			}
		}
	}
	if pruned.SignInLinks == 0 || pruned.Sessions == 0 {
		t.Errorf("two months of sign-ins pruned %+v: want old links and sessions gone", pruned)
	}

	// The sessions kept are exactly those used within KeepSessions.
	end := now.Add(3 * time.Hour)
	live, err := s.ListSessions(ctx, end, anyIdle)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[int64]bool{}
	for _, ws := range live {
		kept[ws.ID] = true
	}
	for _, ws := range sessions {
		want := !ws.revoked && !ws.lastSeen.Before(end.Add(-store.KeepSessions))
		if kept[ws.id] != want {
			t.Errorf("session %d last used %s (revoked %v): kept %v, want %v", ws.id, ws.lastSeen, ws.revoked, kept[ws.id], want)
		}
	}

	// What still counts survives a prune at the moment it counts.
	if err := s.AddSignInLink(ctx, "link-fresh", "zamira", end, end.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for i := range limit {
		if ok, err := s.AllowSignInAttempt(ctx, []string{"addr:flood@example.org", "ip:" + strconv.Itoa(i)}, end, window, limit); err != nil || !ok {
			t.Fatalf("attempt %d: %v, %v", i, ok, err)
		}
	}
	fresh := &store.WebSession{TokenHash: "session-fresh", OfficerID: "zamira", CreatedAt: end, LastSeen: end}
	if err := s.CreateSession(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(ctx, end.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.AllowSignInAttempt(ctx, []string{"addr:flood@example.org", "ip:other"}, end.Add(2*time.Minute), window, limit); err != nil || ok {
		t.Errorf("attempt over the limit after a prune: allowed %v, %v; want refused", ok, err)
	}
	if _, ok, err := s.TouchSession(ctx, "session-fresh", end.Add(2*time.Minute), store.SessionLimits{Idle: time.Hour}); err != nil || !ok {
		t.Errorf("live session after a prune: TouchSession = %v, %v", ok, err)
	}
	if officer, ok, err := s.UseSignInLink(ctx, "link-fresh", end.Add(2*time.Minute)); err != nil || !ok || officer != "zamira" {
		t.Errorf("unexpired link after a prune: UseSignInLink = %q, %v, %v", officer, ok, err)
	}
}

// testPruneSignInMails: a sent sign-in mail goes KeepSignInMails after it
// was sent; a failed one stays, as every failed job does, and so does
// every other sent job, however old.
func testPruneSignInMails(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ticket := createTickets(t, s, 1)[0]
	type want struct {
		kind   inquiry.JobKind
		sentAt time.Duration // after t0; the job is sent (or fails) then
		fail   bool
		kept   bool
	}
	jobs := []want{
		{kind: inquiry.JobSignIn, sentAt: 0, kept: false},
		{kind: inquiry.JobSignIn, sentAt: 10 * day, kept: true},
		{kind: inquiry.JobSignIn, sentAt: 0, fail: true, kept: true},
		{kind: inquiry.JobAck, sentAt: 0, kept: true},
		{kind: inquiry.JobNotify, sentAt: 0, kept: true},
	}
	ids := make([]int64, len(jobs))
	for i, w := range jobs {
		at := t0.Add(w.sentAt)
		j := &inquiry.Job{Kind: w.kind, Recipient: "jusuf", NextAt: at, CreatedAt: at,
			Mail: &inquiry.Mail{MessageID: fmt.Sprintf("sportel.%s.%d@mkrs.example", w.kind, i), Date: at, Text: "x"}}
		if w.kind != inquiry.JobSignIn {
			j.TicketID = ticket
		}
		inTx(t, s, func(tx store.Tx) error { return tx.AddJob(j) })
		ids[i] = j.ID
		if claimed, err := s.ClaimJobs(ctx, "w", at, time.Minute, 10); err != nil || len(claimed) != 1 {
			t.Fatalf("job %d: claimed %d (%v), want 1", i, len(claimed), err)
		}
		if w.fail {
			if err := s.FailJob(ctx, j.ID, "w", "550 no such user", at); err != nil {
				t.Fatal(err)
			}
		} else if err := finishAll(ctx, s, "w", []int64{j.ID}, at); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(store.KeepSignInMails + 5*day)
	p, err := s.Prune(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.SignInMails != 1 {
		t.Errorf("Prune = %+v; want one sign-in mail gone", p)
	}
	all := allJobs(t, s)
	for i, w := range jobs {
		if _, kept := all[ids[i]]; kept != w.kept {
			t.Errorf("job %d (%s, sent %s before the prune, failed %v): kept %v, want %v", i, w.kind, now.Sub(t0.Add(w.sentAt)), w.fail, kept, w.kept)
		}
	}
}

// testPruneChatProgress: the outbox's note of the parts of a chat message
// it sent (store.ChatPartsStatePrefix) goes once its job is done or
// cancelled, and stays while the job may still be sent: pending, or failed
// (sent again, it goes on from the note). Other state stays, and a key
// under the prefix that names no job is left alone.
func testPruneChatProgress(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	states := []inquiry.JobState{inquiry.JobDone, inquiry.JobCancelled, inquiry.JobFailed, inquiry.JobPending, inquiry.JobDone}
	// A ticket each: cancelling one's answers touches no other job.
	tickets := createTickets(t, s, len(states))
	ids := make([]int64, len(states))
	inTx(t, s, func(tx store.Tx) error {
		for i := range states {
			j := &inquiry.Job{TicketID: tickets[i], Kind: inquiry.JobAnswer, Recipient: fmt.Sprintf("tg:%d", 100+i), NextAt: t0, CreatedAt: t0,
				Chat: &inquiry.ChatMessage{ChatID: int64(100 + i), Text: "answer"}}
			if err := tx.AddJob(j); err != nil {
				return err
			}
			ids[i] = j.ID
		}
		return nil
	})
	if claimed, err := s.ClaimJobs(ctx, "w", t0, time.Minute, 10); err != nil || len(claimed) != len(states) {
		t.Fatalf("claimed %d (%v), want %d", len(claimed), err, len(states))
	}
	key := func(id int64) string { return store.ChatPartsStatePrefix + strconv.FormatInt(id, 10) }
	for _, id := range ids {
		if err := s.SetState(ctx, key(id), `{"sent":1,"ref":"tg:100:1"}`); err != nil {
			t.Fatal(err)
		}
	}
	for i, st := range states {
		var err error
		switch st {
		case inquiry.JobDone:
			err = finishAll(ctx, s, "w", []int64{ids[i]}, t0)
		case inquiry.JobFailed:
			err = s.FailJob(ctx, ids[i], "w", "400 Bad Request: file too big", t0)
		case inquiry.JobPending:
			err = s.RetryJob(ctx, ids[i], "w", t0.Add(time.Minute), "429")
		case inquiry.JobCancelled:
			err = s.ReleaseJob(ctx, ids[i], "w")
			if err == nil {
				inTx(t, s, func(tx store.Tx) error {
					_, err := tx.CancelJobs(tickets[i], inquiry.JobAnswer, "ticket closed", t0)
					return err
				})
			}
		}
		if err != nil {
			t.Fatalf("job %d to %s: %v", i, st, err)
		}
	}
	others := map[string]string{
		"telegram.offset":                                      "42",
		store.ChatPartsStatePrefix + "999999999":               `{"sent":1}`, // no such job
		store.ChatPartsStatePrefix + "not-a-job":               `{"sent":1}`,
		store.ChatPartsStatePrefix + "99999999999999999999999": `{"sent":1}`,
	}
	for k, v := range others {
		if err := s.SetState(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	for pass := range 2 {
		p, err := s.Prune(ctx, t0.Add(time.Hour))
		if err != nil {
			t.Fatalf("pass %d: %v", pass, err)
		}
		if want := []int{3, 0}[pass]; p.ChatProgress != want {
			t.Errorf("pass %d: Prune = %+v; want %d chat notes gone", pass, p, want)
		}
	}
	all := allJobs(t, s)
	for i, id := range ids {
		if all[id].State != states[i] {
			t.Fatalf("job %d is %s, want %s", i, all[id].State, states[i])
		}
		want := states[i] == inquiry.JobFailed || states[i] == inquiry.JobPending
		if _, ok, err := s.GetState(ctx, key(id)); err != nil || ok != want {
			t.Errorf("%s job's note kept %v (%v), want %v", states[i], ok, err, want)
		}
	}
	for k, v := range others {
		if got, ok, err := s.GetState(ctx, k); err != nil || !ok || got != v {
			t.Errorf("state %q = %q, %v, %v after a prune; want %q kept", k, got, ok, err, v)
		}
	}
}
