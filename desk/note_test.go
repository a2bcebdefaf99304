package desk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
)

func TestNote(t *testing.T) {
	ctx := context.Background()
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
	jobsBefore := len(f.jobs(ticket1))
	cases := []struct {
		name, number, author, text string
		wantErr                    string // "" : the note is recorded
		lifecycle                  bool   // the error is desk.ErrLifecycle
	}{
		{"a note", ticket1, "cli:ana", "  Thirra qytetarin: e pret përgjigjen me postë.\n", "", false},
		{"an officer's note", ticket1, "jusuf", "Dokumenti është në arkiv.", "", false},
		{"empty", ticket1, "jusuf", " \n\t", "the note is empty", true},
		{"no author", ticket1, " ", "x", "no author", true},
		{"too long", ticket1, "jusuf", strings.Repeat("ë", desk.MaxNoteRunes+1), "at most", true},
		{"no such ticket", "DKP-2026-000099", "jusuf", "x", "no ticket DKP-2026-000099", false},
	}
	var want []string
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.now = f.now.Add(time.Minute)
			tk, err := f.desk.Note(ctx, c.number, c.author, c.text)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || errors.Is(err, desk.ErrLifecycle) != c.lifecycle {
					t.Fatalf("Note = %v, want an error containing %q (lifecycle %v)", err, c.wantErr, c.lifecycle)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tk.UpdatedAt.Equal(f.now) {
				t.Errorf("UpdatedAt %s, want %s", tk.UpdatedAt, f.now)
			}
			want = append(want, c.author+": "+strings.TrimSpace(c.text))
		})
	}
	entries, err := f.store.Entries(ctx, f.ticket(ticket1).ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Kind == inquiry.EntryNote && (e.Author == "cli:ana" || e.Author == "jusuf") {
			got = append(got, e.Author+": "+e.Text)
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("notes on the record:\n%q\nwant\n%q", got, want)
	}
	if n := len(f.jobs(ticket1)); n != jobsBefore {
		t.Errorf("a note queued %d sends", n-jobsBefore)
	}
	// A closed ticket takes notes too.
	if _, err := f.desk.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.Granted}, "jusuf"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Note(ctx, ticket1, "jusuf", "Mbyllur pas telefonatës."); err != nil {
		t.Errorf("note on a closed ticket: %v", err)
	}
}
