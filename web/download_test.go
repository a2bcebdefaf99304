package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
	"sportel/store/sqlite"
)

// rawCounter is the real store counting the bytes of raw mail and of
// files its entry reads hand over.
type rawCounter struct {
	*sqlite.Store
	mu  sync.Mutex
	raw int
}

func (s *rawCounter) count(es ...inquiry.Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range es {
		s.raw += len(e.Raw)
		for _, a := range e.Attachments {
			s.raw += len(a.Content)
		}
	}
}

func (s *rawCounter) RecordPage(ctx context.Context, ticketID, before int64, limit int) ([]store.RecordEntry, bool, error) {
	es, older, err := s.Store.RecordPage(ctx, ticketID, before, limit)
	for _, e := range es {
		s.count(e.Entry)
		for _, f := range e.Files {
			s.count(inquiry.Entry{Attachments: []inquiry.Attachment{f.Attachment}})
		}
	}
	return es, older, err
}

func (s *rawCounter) read() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.raw
	s.raw = 0
	return n
}

func (s *rawCounter) Entries(ctx context.Context, ticketID int64) ([]inquiry.Entry, error) {
	es, err := s.Store.Entries(ctx, ticketID)
	s.count(es...)
	return es, err
}

func (s *rawCounter) Entry(ctx context.Context, ticketID, entryID int64) (inquiry.Entry, bool, error) {
	e, ok, err := s.Store.Entry(ctx, ticketID, entryID)
	s.count(e)
	return e, ok, err
}

// A download reads from the store the one entry it serves, not the
// ticket's whole record: a citizen who sends forty photos of a megabyte
// each made every download of any file of the ticket read 40 MiB of mail.
func TestDownloadReadsOneEntry(t *testing.T) {
	const number = "DKP-2026-000001"
	var counter *rawCounter
	f := newFixtureWithStore(t, nil, nil, func(st *sqlite.Store) fixtureStore {
		counter = &rawCounter{Store: st}
		return counter
	})
	f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), f.now.Add(7*24*time.Hour), "Leje", "Kërkoj lejen")
	ctx := context.Background()
	tk, _, err := f.store.TicketByNumber(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	const photos, photoBytes = 40, 1 << 20
	err = f.store.WithTx(ctx, func(tx store.Tx) error {
		for i := range photos {
			raw := "From: arben@example.net\r\nSubject: foto\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("x", photoBytes) + "\r\n"
			if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arben@example.net",
				Text: fmt.Sprintf("foto %d", i), Raw: []byte(raw), CreatedAt: f.now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	first, err := f.store.Entries(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	b.signIn(officers[1])
	cases := []struct {
		name, path string
		want       int // the served entry's raw
	}{
		{"the first mail's file", "/t/" + number + "/attachment/1/0", len(first[0].Raw)},
		{"the first mail", "/t/" + number + "/raw/1", len(first[0].Raw)},
		{"a photo's mail", fmt.Sprintf("/t/%s/raw/%d", number, first[photos].ID), len(first[photos].Raw)},
		{"no such entry", "/t/" + number + "/raw/9999", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			counter.read()
			r := b.get(c.path)
			if want := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[c.want > 0]; r.status != want {
				t.Fatalf("GET %s = %d, want %d", c.path, r.status, want)
			}
			if got := counter.read(); got > c.want {
				t.Errorf("GET %s read %d bytes of raw mail from the store, want at most the entry's %d", c.path, got, c.want)
			}
		})
	}
}

// The audit log records who read a citizen's files; a HEAD request reads
// none, so it is answered but not recorded.
func TestHeadOfADownloadIsNotAudited(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), f.now.Add(7*24*time.Hour), "Leje", "Kërkoj lejen")
	b := f.browser()
	b.signIn(officers[1])
	downloads := func() int {
		audit, err := f.store.Audit(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range audit {
			if strings.HasPrefix(e.Action, "download_") {
				n++
			}
		}
		return n
	}
	for _, path := range []string{"/t/" + number + "/raw/1", "/t/" + number + "/attachment/1/0"} {
		before := downloads()
		if r := b.do(http.MethodHead, path, nil); r.status != http.StatusOK {
			t.Fatalf("HEAD %s = %d, want 200", path, r.status)
		}
		if n := downloads() - before; n != 0 {
			t.Errorf("HEAD %s wrote %d download entries to the audit log, want none", path, n)
		}
		if r := b.get(path); r.status != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", path, r.status)
		}
		if n := downloads() - before; n != 1 {
			t.Errorf("GET %s wrote %d download entries to the audit log, want 1", path, n)
		}
	}
}
