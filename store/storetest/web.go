package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// tw is a time on whole microseconds: the workspace's times need no more.
var tw = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func testWebSignInLinks(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if err := s.AddSignInLink(ctx, "h-live", "jusuf", tw, tw.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSignInLink(ctx, "h-old", "zamira", tw, tw.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name        string
		hash        string
		now         time.Time
		wantOfficer string
		wantOK      bool
	}{
		{"unknown link", "h-forged", tw.Add(time.Minute), "", false},
		{"expired link", "h-old", tw.Add(15 * time.Minute), "", false},
		{"live link", "h-live", tw.Add(14 * time.Minute), "jusuf", true},
		{"used link", "h-live", tw.Add(14 * time.Minute), "", false},
	}
	for _, st := range steps {
		got, ok, err := s.UseSignInLink(ctx, st.hash, st.now)
		if err != nil || ok != st.wantOK || got != st.wantOfficer {
			t.Errorf("%s: UseSignInLink = %q, %v, %v; want %q, %v", st.name, got, ok, err, st.wantOfficer, st.wantOK)
		}
	}
	if err := s.AddSignInLink(ctx, "h-live", "jusuf", tw, tw.Add(time.Minute)); err == nil {
		t.Error("a second link with the same hash was accepted")
	}
}

func testWebSignInLinkUsedOnce(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if err := s.AddSignInLink(ctx, "h", "jusuf", tw, tw.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	results := make(chan bool, n)
	for range n {
		wg.Go(func() {
			_, ok, err := s.UseSignInLink(ctx, "h", tw.Add(time.Minute))
			if err != nil {
				t.Errorf("UseSignInLink: %v", err)
			}
			results <- ok
		})
	}
	wg.Wait()
	close(results)
	used := 0
	for ok := range results {
		if ok {
			used++
		}
	}
	if used != 1 {
		t.Errorf("%d of %d concurrent uses of one link succeeded, want 1", used, n)
	}
}

func testWebSignInAttempts(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	const limit, window = 3, 10 * time.Minute
	steps := []struct {
		name string
		keys []string
		at   time.Duration // after tw
		want bool
	}{
		{"1st for a", []string{"addr:a", "ip:1"}, 0, true},
		{"2nd for a", []string{"addr:a", "ip:1"}, time.Minute, true},
		{"3rd for a", []string{"addr:a", "ip:2"}, 2 * time.Minute, true},
		{"4th for a refused", []string{"addr:a", "ip:3"}, 3 * time.Minute, false},
		{"refused attempt was not counted for ip:3", []string{"addr:b", "ip:3"}, 3 * time.Minute, true},
		{"ip:1 has room (2 attempts)", []string{"addr:c", "ip:1"}, 4 * time.Minute, true},
		{"ip:1 now full", []string{"addr:d", "ip:1"}, 4 * time.Minute, false},
		{"window moved on for a", []string{"addr:a", "ip:4"}, 10*time.Minute + time.Second, true},
	}
	for _, st := range steps {
		got, err := s.AllowSignInAttempt(ctx, st.keys, tw.Add(st.at), window, limit)
		if err != nil || got != st.want {
			t.Errorf("%s: AllowSignInAttempt = %v, %v; want %v", st.name, got, err, st.want)
		}
	}

	// Concurrent attempts never pass the limit together.
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 10 {
		wg.Go(func() {
			ok, err := s.AllowSignInAttempt(ctx, []string{"addr:race"}, tw, window, limit)
			if err != nil {
				t.Errorf("AllowSignInAttempt: %v", err)
			}
			if ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != limit {
		t.Errorf("%d of 10 concurrent attempts allowed, want exactly %d", allowed, limit)
	}
}

func testWebSessions(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	idle := store.SessionLimits{Idle: 8 * time.Hour}
	a := &store.WebSession{TokenHash: "ha", OfficerID: "jusuf", ClientIP: "127.0.0.1", CreatedAt: tw, LastSeen: tw}
	b := &store.WebSession{TokenHash: "hb", OfficerID: "jusuf", CreatedAt: tw, LastSeen: tw}
	c := &store.WebSession{TokenHash: "hc", OfficerID: "zamira", Language: "en", CreatedAt: tw, LastSeen: tw}
	for _, ws := range []*store.WebSession{a, b, c} {
		if err := s.CreateSession(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	if !(a.ID > 0 && b.ID > a.ID && c.ID > b.ID) {
		t.Fatalf("session ids %d, %d, %d: want increasing", a.ID, b.ID, c.ID)
	}

	got, ok, err := s.TouchSession(ctx, "ha", tw.Add(7*time.Hour), idle)
	if err != nil || !ok || got.ID != a.ID || got.OfficerID != "jusuf" || got.ClientIP != "127.0.0.1" ||
		!got.CreatedAt.Equal(tw) || !got.LastSeen.Equal(tw.Add(7*time.Hour)) || got.LastSeen.Location() != time.UTC {
		t.Fatalf("TouchSession(a) = %+v, %v, %v", got, ok, err)
	}
	// Used at 7h, so still live at 14h; b, untouched, is idle by then.
	if _, ok, err := s.TouchSession(ctx, "ha", tw.Add(14*time.Hour), idle); !ok || err != nil {
		t.Errorf("session used 7h ago refused: %v, %v", ok, err)
	}
	if _, ok, err := s.TouchSession(ctx, "hb", tw.Add(8*time.Hour+time.Second), idle); ok || err != nil {
		t.Errorf("idle session accepted: %v, %v", ok, err)
	}
	if _, ok, err := s.TouchSession(ctx, "nope", tw, idle); ok || err != nil {
		t.Errorf("unknown session accepted: %v, %v", ok, err)
	}
	if err := s.SetSessionLanguage(ctx, a.ID, "sr-Cyrl"); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.TouchSession(ctx, "ha", tw.Add(14*time.Hour), idle); got.Language != "sr-Cyrl" {
		t.Errorf("language = %q, want sr-Cyrl", got.Language)
	}

	live, err := s.ListSessions(ctx, tw.Add(time.Hour), idle)
	if err != nil || len(live) != 3 || live[0].ID != c.ID || live[2].ID != a.ID {
		t.Errorf("ListSessions at 1h = %+v, %v; want c, b, a", live, err)
	}
	live, err = s.ListSessions(ctx, tw.Add(14*time.Hour), idle)
	if err != nil || len(live) != 1 || live[0].ID != a.ID {
		t.Errorf("ListSessions at 14h = %+v, %v; want only a", live, err)
	}

	// A maximum age ends a session however busy: a, used every few hours,
	// is live at 14h under a 15-hour maximum and refused under a 13-hour
	// one, and listed accordingly.
	if _, ok, err := s.TouchSession(ctx, "ha", tw.Add(14*time.Hour), store.SessionLimits{Idle: 8 * time.Hour, Max: 15 * time.Hour}); !ok || err != nil {
		t.Errorf("session within its maximum age refused: %v, %v", ok, err)
	}
	capped := store.SessionLimits{Idle: 8 * time.Hour, Max: 13 * time.Hour}
	if _, ok, err := s.TouchSession(ctx, "ha", tw.Add(14*time.Hour), capped); ok || err != nil {
		t.Errorf("session past its maximum age accepted: %v, %v", ok, err)
	}
	if live, err := s.ListSessions(ctx, tw.Add(14*time.Hour), capped); err != nil || len(live) != 0 {
		t.Errorf("ListSessions past the maximum age = %+v, %v; want none", live, err)
	}

	if ok, err := s.RevokeSession(ctx, a.ID, tw.Add(14*time.Hour)); !ok || err != nil {
		t.Errorf("RevokeSession(a) = %v, %v", ok, err)
	}
	if ok, err := s.RevokeSession(ctx, a.ID, tw.Add(14*time.Hour)); ok || err != nil {
		t.Errorf("second RevokeSession(a) = %v, %v; want false", ok, err)
	}
	if _, ok, err := s.TouchSession(ctx, "ha", tw.Add(14*time.Hour), idle); ok || err != nil {
		t.Errorf("revoked session accepted: %v, %v", ok, err)
	}
	if n, err := s.RevokeOfficerSessions(ctx, "zamira", tw.Add(time.Hour)); n != 1 || err != nil {
		t.Errorf("RevokeOfficerSessions(zamira) = %d, %v; want 1", n, err)
	}
	if _, ok, _ := s.TouchSession(ctx, "hc", tw.Add(time.Hour), idle); ok {
		t.Error("zamira's revoked session accepted")
	}
	if err := s.CreateSession(ctx, &store.WebSession{TokenHash: "ha", OfficerID: "x", CreatedAt: tw, LastSeen: tw}); err == nil {
		t.Error("a second session with the same token hash was accepted")
	}
}

func testWebAudit(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if got, err := s.Audit(ctx, 0); len(got) != 0 || err != nil {
		t.Errorf("Audit(empty) = %v, %v", got, err)
	}
	entries := []store.AuditEntry{
		{OfficerID: "jusuf", Action: "signin", At: tw},
		{OfficerID: "jusuf", Action: "answer", Ticket: "DKP-2026-000001", At: tw.Add(time.Minute)},
		{OfficerID: "osman", Action: "close", Ticket: "DKP-2026-000001", Detail: "refused personal_data", At: tw.Add(2 * time.Minute)},
	}
	for i := range entries {
		if err := s.AddAudit(ctx, &entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Audit(ctx, 0)
	if err != nil || len(got) != 3 {
		t.Fatalf("Audit = %v, %v", got, err)
	}
	for i, g := range got {
		w := entries[len(entries)-1-i]
		if g != w {
			t.Errorf("Audit[%d] = %+v, want %+v", i, g, w)
		}
	}
	if got, err := s.Audit(ctx, 2); len(got) != 2 || err != nil || got[0].Action != "close" {
		t.Errorf("Audit(2) = %+v, %v; want the newest two", got, err)
	}
}

// testWebSignInMailScrubbed: a sent sign-in mail keeps its Message-ID and
// recipient but not its text (the one-time link); other mail keeps its text.
func testWebSignInMailScrubbed(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	const link = "https://sportel.example/signin/link?t=secret-token"
	jobs := []*inquiry.Job{
		{Kind: inquiry.JobSignIn, Recipient: "jusuf", NextAt: t0, CreatedAt: t0,
			Mail: &inquiry.Mail{MessageID: "sportel.signin.1@mkrs.example", Date: t0, Subject: "Sportel: your sign-in link", Text: "Open this link:\n\n" + link + "\n"}},
		{Kind: inquiry.JobQuarantined, Recipient: "zamira", NextAt: t0, CreatedAt: t0,
			Mail: &inquiry.Mail{MessageID: "sportel.quarantine.1@mkrs.example", Date: t0, Subject: "set aside", Text: "kept " + link}},
	}
	inTx(t, s, func(tx store.Tx) error {
		for _, j := range jobs {
			if err := tx.AddJob(j); err != nil {
				return err
			}
		}
		return nil
	})
	// Pending, the link is there to be sent.
	pending, err := s.ListJobs(ctx, inquiry.JobPending, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range pending {
		if j.Mail == nil || !strings.Contains(j.Mail.Text, link) {
			t.Fatalf("pending job %d (%s) lost its text before it was sent: %+v", j.ID, j.Kind, j.Mail)
		}
	}
	claimed, err := s.ClaimJobs(ctx, "w", t0, time.Minute, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claimed %d jobs (%v), want 2", len(claimed), err)
	}
	if err := finishAll(ctx, s, "w", []int64{jobs[0].ID, jobs[1].ID}, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	done, err := s.ListJobs(ctx, inquiry.JobDone, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[inquiry.JobKind]inquiry.Job{}
	for _, j := range done {
		got[j.Kind] = j
	}
	signin, other := got[inquiry.JobSignIn], got[inquiry.JobQuarantined]
	if signin.Mail == nil || signin.Mail.Text != store.SignInTextSent || strings.Contains(signin.Mail.Text, "secret-token") ||
		signin.Mail.MessageID != "sportel.signin.1@mkrs.example" || signin.Mail.Subject != "Sportel: your sign-in link" || signin.Recipient != "jusuf" {
		t.Errorf("sent sign-in job = %+v, mail %+v; want its text replaced, the rest kept", signin, signin.Mail)
	}
	if other.Mail == nil || other.Mail.Text != "kept "+link {
		t.Errorf("sent quarantine notice mail = %+v; want its text kept", other.Mail)
	}
}
