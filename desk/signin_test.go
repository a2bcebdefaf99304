package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
)

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
