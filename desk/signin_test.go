package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
)

func TestNote(t *testing.T) {
	f := newLifecycleFixture(t, inquiry.GeneralQuestion, inquiry.Albanian, inquiry.ChannelEmail, "Pyetje për orarin.")
	ctx := context.Background()
	cases := []struct {
		name, text string
		wantErr    bool
	}{
		{"a note", "  Called the citizen back.  ", false},
		{"empty", " \n ", true},
	}
	for _, tc := range cases {
		_, err := f.desk.Note(ctx, ticket1, "zamira", tc.text)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: Note = %v, want error %v", tc.name, err, tc.wantErr)
		}
	}
	if _, err := f.desk.Note(ctx, "DKP-2026-000099", "zamira", "x"); err == nil {
		t.Error("note on a missing ticket accepted")
	}
	entries, err := f.store.Entries(ctx, f.ticket(ticket1).ID)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Kind != inquiry.EntryNote || last.Author != "zamira" || last.Text != "Called the citizen back." {
		t.Errorf("last entry = %+v, want zamira's trimmed note", last)
	}
	if n := len(jobsOf(f.jobs(ticket1), inquiry.JobAnswer)); n != 0 {
		t.Errorf("a note queued %d answers", n)
	}
}

func TestMailSignInLink(t *testing.T) {
	f := newLifecycleFixture(t, inquiry.GeneralQuestion, inquiry.Albanian, inquiry.ChannelEmail, "Pyetje.")
	ctx := context.Background()
	expires := f.now.Add(15 * time.Minute)
	if err := f.desk.MailSignInLink(ctx, "jusuf", "https://dkp.example/signin/link?t=abc", expires); err != nil {
		t.Fatal(err)
	}
	if err := f.desk.MailSignInLink(ctx, "nobody", "https://dkp.example/x", expires); err == nil {
		t.Error("a link for an unknown officer was queued")
	}
	jobs, err := f.store.ListJobs(ctx, inquiry.JobPending, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []inquiry.Job
	for _, j := range jobs {
		if j.Kind == inquiry.JobSignIn {
			got = append(got, j)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d sign-in jobs, want 1", len(got))
	}
	m := got[0].Mail
	if m == nil || len(m.To) != 1 || m.To[0].Address != "jusuf.lushaku@mkrs.example" || got[0].Recipient != "jusuf" ||
		!strings.Contains(m.Text, "https://dkp.example/signin/link?t=abc") || !strings.Contains(m.Text, "25.11.2026 11:15") || !m.AutoReplied {
		t.Errorf("sign-in mail = %+v", m)
	}
}
