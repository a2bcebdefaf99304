package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
)

// A person's mail the filter kept as spam or bulk is taken into the work
// by reopening it: it is assigned, its citizen acknowledged and its officer
// notified now, as filing would have done; its clock still runs from when
// it came.
func TestRestoreSetAsideTicket(t *testing.T) {
	for _, kind := range []inquiry.Automation{inquiry.Spam, inquiry.Bulk} {
		t.Run(string(kind), func(t *testing.T) {
			f := newFixture(t)
			m := citizen("kept@example.net", "arta@example.org", "Kërkesë për dokumente", docRequestSQ)
			m.Automation = kind
			f.handle(m)
			tk := f.ticket("DKP-2026-000001")
			if tk.State.Open() || len(f.jobs(tk.Number)) != 0 {
				t.Fatalf("filed as %s with %d sends; want kept, nothing sent", tk.State, len(f.jobs(tk.Number)))
			}
			f.now = f.now.Add(2 * time.Hour)
			got, err := f.desk.Reopen(context.Background(), tk.Number, "zamira")
			if err != nil {
				t.Fatalf("Reopen: %v", err)
			}
			if got.State != inquiry.Assigned || got.OfficerID != "jusuf" || got.DueAt.IsZero() || !got.ReceivedAt.Equal(tk.ReceivedAt) {
				t.Errorf("restored as %s for %s, due %s, received %s; want assigned to jusuf, due from when it came",
					got.State, got.OfficerID, got.DueAt, got.ReceivedAt)
			}
			jobs := f.jobs(tk.Number)
			if a := jobsOf(jobs, inquiry.JobAck); len(a) != 1 || a[0].Mail.To[0].Address != "arta@example.org" || !strings.Contains(a[0].Mail.Text, tk.Number) {
				t.Errorf("acknowledgements %+v; want one to arta@example.org", a)
			}
			if n := jobsOf(jobs, inquiry.JobNotify); len(n) == 0 || n[0].Recipient != "jusuf" {
				t.Errorf("notifications %+v; want jusuf's", n)
			}
			// Done once: reopening it again is refused, nothing more sent.
			if _, err := f.desk.Reopen(context.Background(), tk.Number, "zamira"); err == nil {
				t.Error("a second Reopen of the assigned ticket was not refused")
			}
			if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobAck)); n != 1 {
				t.Errorf("%d acknowledgements after a second Reopen, want 1", n)
			}
		})
	}
}
