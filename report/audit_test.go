package report

import (
	"testing"
	"time"

	"sportel/inquiry"
)

// TestAccessAudit checks each ticket's share of the 2026 report, one at a
// time, and then all together: every request counted once, outcomes and
// months adding up to the total.
func TestAccessAudit(t *testing.T) {
	loc := belgrade(t)
	bg := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02T15:04:05", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	now := bg("2027-02-01T12:00:00")
	// A request received Wednesday 2 December 2026, due Wednesday 9 December
	// at the end of the day.
	base := inquiry.Ticket{Category: inquiry.DocumentRequest, Channel: inquiry.ChannelEmail, State: inquiry.Assigned,
		ReceivedAt: bg("2026-12-02T10:00:00"), DueAt: bg("2026-12-09T23:59:59")}
	with := func(f func(*inquiry.Ticket)) inquiry.Ticket {
		tk := base
		f(&tk)
		return tk
	}
	decide := func(o inquiry.Outcome, at string) func(*inquiry.Ticket) {
		return func(tk *inquiry.Ticket) {
			tk.State, tk.Outcome, tk.ClosedAt, tk.DecidedAt = inquiry.Closed, o, bg(at), bg(at)
			if o.NeedsGround() {
				tk.Ground = "personal_data"
			}
		}
	}
	type share struct {
		received                      int
		month                         time.Month
		outcome                       string
		onTime, late, silent, overdue int
	}
	tests := []struct {
		name string
		t    inquiry.Ticket
		want share
	}{
		// 22:30 UTC on 31 December is 23:30 in Belgrade: 2026's, December's.
		{"31 Dec 23:30 local", with(func(tk *inquiry.Ticket) {
			tk.ReceivedAt, tk.DueAt = time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC), bg("2027-01-08T23:59:59")
			decide(inquiry.Granted, "2027-01-05T09:00:00")(tk)
		}), share{1, 12, "granted", 1, 0, 0, 0}},
		// 23:30 UTC on 31 December is 00:30 on 1 January: 2027's.
		{"31 Dec 23:30 UTC", with(func(tk *inquiry.Ticket) {
			tk.ReceivedAt, tk.DueAt = time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), bg("2027-01-12T23:59:59")
		}), share{}},
		// 23:30 UTC on 31 December 2025 is 00:30 on 1 January 2026: January's.
		{"1 Jan 00:30 local", with(func(tk *inquiry.Ticket) {
			tk.ReceivedAt, tk.DueAt = time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC), bg("2026-01-13T23:59:59")
			decide(inquiry.Refused, "2026-01-10T09:00:00")(tk)
		}), share{1, 1, "refused", 1, 0, 0, 0}},
		// Decided in the next year, on time: 2026's, once.
		{"received December, decided January", with(func(tk *inquiry.Ticket) {
			tk.DueAt = bg("2027-01-04T23:59:59")
			decide(inquiry.PartlyGranted, "2027-01-04T23:00:00")(tk)
		}), share{1, 12, "partly_granted", 1, 0, 0, 0}},
		// The last second of the due day is on time.
		{"decided at 23:59:59 on the due day", with(decide(inquiry.Granted, "2026-12-09T23:59:59")),
			share{1, 12, "granted", 1, 0, 0, 0}},
		{"decided the next morning", with(decide(inquiry.Granted, "2026-12-10T00:00:00")),
			share{1, 12, "granted", 0, 1, 1, 0}},
		// Reopened and decided anew: the ticket is one request, counted by its
		// latest decision (the reopen cleared the first).
		{"reopened and decided again", with(func(tk *inquiry.Ticket) {
			decide(inquiry.Refused, "2026-12-15T09:00:00")(tk)
			tk.Complaints = []inquiry.Complaint{{}}
		}), share{1, 12, "refused", 0, 1, 1, 0}},
		// Extended before the deadline to 30 December; decided on 29.
		{"extended, decided within the extension", with(func(tk *inquiry.Ticket) {
			tk.Extension = &inquiry.Extension{Days: 15, DueAt: bg("2026-12-30T23:59:59"), At: bg("2026-12-08T10:00:00")}
			tk.DueAt = tk.Extension.DueAt
			decide(inquiry.Granted, "2026-12-29T10:00:00")(tk)
		}), share{1, 12, "granted", 1, 0, 0, 0}},
		// Open past its deadline: pending, refused by silence, overdue.
		{"open past the deadline", base, share{1, 12, Pending, 0, 0, 1, 1}},
		{"open within the deadline", with(func(tk *inquiry.Ticket) { tk.DueAt = bg("2027-02-02T23:59:59") }),
			share{1, 12, Pending, 0, 0, 0, 0}},
		// Answered but not decided: still pending.
		{"answered, not closed", with(func(tk *inquiry.Ticket) {
			tk.State, tk.AnsweredAt = inquiry.Answered, bg("2026-12-05T10:00:00")
		}), share{1, 12, Pending, 0, 0, 1, 1}},
		// The not-held notice is the decision, closed or not.
		{"not held, notice sent, still open", with(func(tk *inquiry.Ticket) {
			tk.NotHeldMark = &inquiry.NotHeldMark{At: bg("2026-12-04T10:00:00")}
		}), share{1, 12, "not_held", 1, 0, 0, 0}},
		{"not held, then closed late", with(func(tk *inquiry.Ticket) {
			tk.NotHeldMark = &inquiry.NotHeldMark{At: bg("2026-12-04T10:00:00")}
			decide(inquiry.NotHeld, "2026-12-20T10:00:00")(tk)
			tk.DecidedAt = tk.NotHeldMark.At
		}), share{1, 12, "not_held", 1, 0, 0, 0}},
		{"withdrawn in time", with(decide(inquiry.Withdrawn, "2026-12-05T10:00:00")),
			share{1, 12, "withdrawn", 0, 0, 0, 0}},
		{"spam", with(func(tk *inquiry.Ticket) { tk.State = inquiry.SpamMail }), share{}},
		{"bulk", with(func(tk *inquiry.Ticket) { tk.State = inquiry.BulkMail }), share{}},
		// Spam taken back into the work is an ordinary open request.
		{"spam, then reopened", with(func(tk *inquiry.Ticket) { tk.OfficerID = "jusuf" }),
			share{1, 12, Pending, 0, 0, 1, 1}},
		{"a press inquiry", with(func(tk *inquiry.Ticket) { tk.Category = inquiry.PressInquiry }), share{}},
	}
	var sum share
	var tickets []inquiry.Ticket
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := AccessDocuments([]inquiry.Ticket{tt.t}, 2026, loc, now)
			got := share{received: r.Received, onTime: r.OnTime, late: r.Late, silent: r.SilentRefusals}
			for i, m := range r.ByMonth {
				if m.Received > 0 {
					got.month = time.Month(i + 1)
					got.overdue = m.Overdue
				}
			}
			for o, n := range r.Outcomes {
				if n > 0 {
					got.outcome = o
				}
			}
			if got != tt.want {
				t.Errorf("share %+v, want %+v", got, tt.want)
			}
		})
		tickets = append(tickets, tt.t)
		sum.received += tt.want.received
		sum.onTime += tt.want.onTime
		sum.late += tt.want.late
		sum.silent += tt.want.silent
	}
	all := AccessDocuments(tickets, 2026, loc, now)
	if all.Received != sum.received || all.OnTime != sum.onTime || all.Late != sum.late || all.SilentRefusals != sum.silent {
		t.Errorf("together: received %d on time %d late %d silent %d; the cases add up to %+v",
			all.Received, all.OnTime, all.Late, all.SilentRefusals, sum)
	}
	outcomes, months, monthOutcomes := 0, 0, 0
	for _, n := range all.Outcomes {
		outcomes += n
	}
	for _, m := range all.ByMonth {
		months += m.Received
		for _, n := range m.Outcomes {
			monthOutcomes += n
		}
	}
	if outcomes != all.Received || months != all.Received || monthOutcomes != all.Received {
		t.Errorf("received %d, but outcomes add up to %d, months to %d, months' outcomes to %d", all.Received, outcomes, months, monthOutcomes)
	}
	if all.Pending != all.Outcomes[Pending] {
		t.Errorf("pending %d, outcomes[pending] %d", all.Pending, all.Outcomes[Pending])
	}
}
