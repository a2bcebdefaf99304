package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

func belgrade(t *testing.T) *time.Location { return testutil.Location(t, "Europe/Belgrade") }

// day is a UTC moment in 2026 at noon, d days after 1 January.
func day(d int) time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, d) }

// request is a document request received on day rec, due 15 days later.
func request(rec int, ch inquiry.Channel) inquiry.Ticket {
	return inquiry.Ticket{Category: inquiry.DocumentRequest, Channel: ch, State: inquiry.Assigned,
		ReceivedAt: day(rec), DueAt: day(rec + 15)}
}

func closedAfter(t inquiry.Ticket, days int, o inquiry.Outcome) inquiry.Ticket {
	t.State, t.Outcome, t.ClosedAt = inquiry.Closed, o, t.ReceivedAt.AddDate(0, 0, days)
	return t
}

func TestAccessDocuments(t *testing.T) {
	loc := belgrade(t)
	now := day(200) // 20 July 2026
	email, tg := inquiry.ChannelEmail, inquiry.ChannelTelegram
	cases := []struct {
		name    string
		tickets []inquiry.Ticket
		check   func(t *testing.T, r AccessReport)
	}{
		{
			name: "on time, late, silent, pending",
			tickets: []inquiry.Ticket{
				closedAfter(request(10, email), 5, inquiry.Granted),     // on time
				closedAfter(request(40, tg), 15, inquiry.PartlyGranted), // on the due moment: on time
				closedAfter(request(40, email), 20, inquiry.Refused),    // late and silent
				request(50, email), // open past due: silent, pending
				request(195, tg),   // not due yet: pending only
				closedAfter(request(60, email), 30, inquiry.Withdrawn), // withdrawn after the deadline: silent, no decision
				closedAfter(request(70, email), 3, inquiry.NotHeld),    // on time
			},
			check: func(t *testing.T, r AccessReport) {
				want := map[string]int{"received": 7, "on_time": 3, "late": 1, "silent": 3, "pending": 2}
				got := map[string]int{"received": r.Received, "on_time": r.OnTime, "late": r.Late, "silent": r.SilentRefusals, "pending": r.Pending}
				if !maps.Equal(got, want) {
					t.Errorf("counts %v, want %v", got, want)
				}
				wantOut := map[string]int{"granted": 1, "partly_granted": 1, "refused": 1, "not_held": 1, "withdrawn": 1, "pending": 2}
				if !maps.Equal(r.Outcomes, wantOut) {
					t.Errorf("outcomes %v, want %v", r.Outcomes, wantOut)
				}
				if !maps.Equal(r.ByChan, map[string]int{"email": 5, "telegram": 2}) {
					t.Errorf("by channel %v", r.ByChan)
				}
				// day 10 is January, 40 and 50 February, 60 March, 70 March, 195 July.
				months := make([]int, 12)
				for i, m := range r.ByMonth {
					months[i] = m.Received
				}
				if want := []int{1, 3, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0}; !slices.Equal(months, want) {
					t.Errorf("by month %v, want %v", months, want)
				}
				if r.ByMonth[1].Month != "2026-02" || r.ByMonth[1].ByChannel["telegram"] != 1 || r.ByMonth[1].ByChannel["email"] != 2 {
					t.Errorf("February %+v", r.ByMonth[1])
				}
				// A month's outcomes partition its requests; overdue ones are
				// the pending past their deadline.
				wantMonths := map[string]map[string]int{
					"2026-01": {"granted": 1},
					"2026-02": {"partly_granted": 1, "refused": 1, "pending": 1},
					"2026-03": {"withdrawn": 1, "not_held": 1},
					"2026-07": {"pending": 1},
				}
				wantOverdue := map[string]int{"2026-02": 1}
				for _, m := range r.ByMonth {
					if !maps.Equal(m.Outcomes, wantMonths[m.Month]) {
						t.Errorf("%s outcomes %v, want %v", m.Month, m.Outcomes, wantMonths[m.Month])
					}
					if m.Overdue != wantOverdue[m.Month] {
						t.Errorf("%s overdue %d, want %d", m.Month, m.Overdue, wantOverdue[m.Month])
					}
				}
				// Decided: 5, 15, 20, 3 days → sorted 3 5 15 20; median 10, p90 at rank 2.7 → 15+0.7·5.
				if r.MedianDays == nil || *r.MedianDays != 10 || r.P90Days == nil || *r.P90Days != 18.5 {
					t.Errorf("median %v p90 %v, want 10 and 18.5", deref(r.MedianDays), deref(r.P90Days))
				}
			},
		},
		{
			name: "the year is Belgrade's",
			tickets: []inquiry.Ticket{
				{Category: inquiry.DocumentRequest, State: inquiry.Assigned, Channel: email,
					ReceivedAt: time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC)}, // 00:30 on 1 January 2026 locally
				{Category: inquiry.DocumentRequest, State: inquiry.Assigned, Channel: email,
					ReceivedAt: time.Date(2026, 12, 31, 22, 59, 0, 0, time.UTC)}, // 23:59 on 31 December locally
				{Category: inquiry.DocumentRequest, State: inquiry.Assigned, Channel: email,
					ReceivedAt: time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)}, // 2027 locally
			},
			check: func(t *testing.T, r AccessReport) {
				if r.Received != 2 || r.ByMonth[0].Received != 1 || r.ByMonth[11].Received != 1 {
					t.Errorf("received %d, January %d, December %d; want 2, 1, 1", r.Received, r.ByMonth[0].Received, r.ByMonth[11].Received)
				}
				if r.NoDeadline != 2 || r.SilentRefusals != 0 {
					t.Errorf("no deadline %d, silent %d; want 2, 0", r.NoDeadline, r.SilentRefusals)
				}
			},
		},
		{
			name: "only document requests that are requests",
			tickets: []inquiry.Ticket{
				{Category: inquiry.PressInquiry, State: inquiry.Assigned, ReceivedAt: day(3)},
				{Category: inquiry.DocumentRequest, State: inquiry.SpamMail, ReceivedAt: day(3)},
				{Category: inquiry.DocumentRequest, State: inquiry.BulkMail, ReceivedAt: day(3)},
				// Bulk mail an earlier version let an officer close, weeks
				// after its deadline: not a request, not a refusal by silence.
				{Category: inquiry.DocumentRequest, State: inquiry.Closed, Outcome: inquiry.NoAnswerNeeded,
					ReceivedAt: day(3), DueAt: day(10), ClosedAt: day(40)},
				{Category: inquiry.DocumentRequest, State: inquiry.Closed, Outcome: inquiry.Resolved,
					ReceivedAt: day(3), DueAt: day(10), ClosedAt: day(40)},
			},
			check: func(t *testing.T, r AccessReport) {
				if r.Received != 0 || r.MedianDays != nil || r.P90Days != nil {
					t.Errorf("received %d, median %v", r.Received, deref(r.MedianDays))
				}
				if r.SilentRefusals != 0 || r.Outcomes[string(inquiry.Resolved)] != 0 || r.Outcomes[string(inquiry.NoAnswerNeeded)] != 0 {
					t.Errorf("silent refusals %d, outcomes %v; want none", r.SilentRefusals, r.Outcomes)
				}
				if len(r.ByMonth) != 12 || r.ByMonth[11].Month != "2026-12" {
					t.Errorf("by month %+v", r.ByMonth)
				}
			},
		},
		{
			name: "the lifecycle: grounds, extensions, urgency, complaints, the decision's own time",
			tickets: func() []inquiry.Ticket {
				refused := closedAfter(request(10, email), 5, inquiry.Refused)
				refused.Ground = "personal_data"
				refused.Complaints = []inquiry.Complaint{{Date: "2026-01-20"}, {Date: "2026-01-22"}}
				partly := closedAfter(request(20, email), 3, inquiry.PartlyGranted)
				partly.Ground, partly.Urgent = "classified", true
				partly2 := closedAfter(request(30, tg), 4, inquiry.PartlyGranted)
				partly2.Ground = "personal_data"
				partly2.Extension = &inquiry.Extension{Days: 10}
				// Closed a day after the deadline, but the decision went out
				// in an answer two days before it: on time, not silent.
				inAnswer := closedAfter(request(40, email), 16, inquiry.Granted)
				inAnswer.DecidedAt, inAnswer.DecisionInAnswer = inAnswer.DueAt.Add(-48*time.Hour), true
				inAnswer.Extension = &inquiry.Extension{Days: 5}
				open := request(190, email)
				open.Urgent = true
				open.Complaints = []inquiry.Complaint{{Date: "2026-07-15"}}
				return []inquiry.Ticket{refused, partly, partly2, inAnswer, open}
			}(),
			check: func(t *testing.T, r AccessReport) {
				if want := map[string]int{"personal_data": 2, "classified": 1}; !maps.Equal(r.RefusalGrounds, want) {
					t.Errorf("grounds %v, want %v", r.RefusalGrounds, want)
				}
				got := map[string]int{"extended": r.Extended, "urgent": r.Urgent, "complaints": r.Complaints, "on_time": r.OnTime, "late": r.Late, "silent": r.SilentRefusals}
				want := map[string]int{"extended": 2, "urgent": 2, "complaints": 3, "on_time": 4, "late": 0, "silent": 0}
				if !maps.Equal(got, want) {
					t.Errorf("counts %v, want %v", got, want)
				}
				// Decided after 5, 3, 4 and 13 days (the answer, not the closing).
				if deref(r.MedianDays) != 4.5 {
					t.Errorf("median %v, want 4.5", deref(r.MedianDays))
				}
			},
		},
		{
			name:    "one decision is its own median and p90",
			tickets: []inquiry.Ticket{closedAfter(request(1, email), 7, inquiry.Granted)},
			check: func(t *testing.T, r AccessReport) {
				if deref(r.MedianDays) != 7 || deref(r.P90Days) != 7 {
					t.Errorf("median %v p90 %v", deref(r.MedianDays), deref(r.P90Days))
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.check(t, AccessDocuments(c.tickets, 2026, loc, now))
		})
	}
}

func TestPercentile(t *testing.T) {
	cases := []struct {
		xs   []float64
		p    float64
		want float64
	}{
		{[]float64{4}, 50, 4},
		{[]float64{1, 2}, 50, 1.5},
		{[]float64{1, 2, 3}, 50, 2},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9.1},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 90, 10},
		{[]float64{1, 2, 3}, 100, 3},
		{[]float64{1, 2, 3}, 0, 1},
	}
	for _, c := range cases {
		if got := round2(Percentile(c.xs, c.p)); got != c.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", c.xs, c.p, got, c.want)
		}
	}
}

func TestAccessJSONKeys(t *testing.T) {
	r := AccessDocuments([]inquiry.Ticket{closedAfter(request(1, inquiry.ChannelEmail), 2, inquiry.Granted)}, 2026, belgrade(t), day(100))
	var buf bytes.Buffer
	if err := r.Write(&buf, "json"); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []string{"year", "received", "by_month", "by_channel", "outcomes", "refusal_grounds", "on_time", "late",
		"silent_refusals", "extended", "urgent", "median_days", "p90_days", "pending", "complaints"}
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	// Counts are counted, an empty map included; nothing is null.
	if g, ok := got["refusal_grounds"].(map[string]any); !ok || len(g) != 0 {
		t.Errorf("refusal_grounds = %v, want {}", got["refusal_grounds"])
	}
	for _, k := range []string{"extended", "urgent", "complaints"} {
		if got[k] != 0.0 {
			t.Errorf("%s = %v, want 0", k, got[k])
		}
	}
	if got["median_days"] != 2.0 || got["on_time"] != 1.0 || len(got["by_month"].([]any)) != 12 {
		t.Errorf("median %v, on time %v, months %v", got["median_days"], got["on_time"], got["by_month"])
	}
}

func TestCSVShape(t *testing.T) {
	loc := belgrade(t)
	tickets := []inquiry.Ticket{closedAfter(request(1, inquiry.ChannelEmail), 2, inquiry.Granted), request(40, inquiry.ChannelTelegram)}
	tickets[1].Language, tickets[1].OfficerID, tickets[1].AnsweredAt = inquiry.Albanian, "jusuf", tickets[1].ReceivedAt.Add(3*time.Hour)
	tickets[1].Urgent, tickets[1].Complaints = true, []inquiry.Complaint{{Date: "2026-02-20"}}
	refused := closedAfter(request(70, inquiry.ChannelEmail), 2, inquiry.Refused)
	refused.Ground = "classified"
	tickets = append(tickets, refused)
	for _, c := range []struct {
		name  string
		write func(*bytes.Buffer) error
		want  map[string]string // "section,key" → value
	}{
		{"access", func(b *bytes.Buffer) error { return AccessDocuments(tickets, 2026, loc, day(300)).Write(b, "csv") }, map[string]string{
			"year,": "2026", "received,": "3", "by_month,2026-01": "1", "by_month,2026-02": "1", "by_month_channel,2026-02/telegram": "1",
			"outcomes,granted": "1", "outcomes,pending": "1", "silent_refusals,": "1", "median_days,": "2",
			"extended,": "0", "urgent,": "1", "complaints,": "1", "refusal_grounds,classified": "1",
		}},
		{"inbox", func(b *bytes.Buffer) error { return Inbox(tickets[:2], day(0), day(60), loc).Write(b, "csv") }, map[string]string{
			"from,": "2026-01-01", "to,": "2026-03-02", "received,": "2", "by_category,document_request": "2",
			"by_language,sq": "1", "by_officer,jusuf": "1", "by_officer,(none)": "1", "answered,": "1", "median_answer_hours,": "3",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.write(&buf); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < 2 || !slices.Equal(rows[0], []string{"section", "key", "value"}) {
				t.Fatalf("header %v", rows)
			}
			got := map[string]string{}
			for _, row := range rows[1:] {
				if len(row) != 3 {
					t.Fatalf("row %v has %d fields", row, len(row))
				}
				k := row[0] + "," + row[1]
				if _, dup := got[k]; dup {
					t.Errorf("row %s twice", k)
				}
				got[k] = row[2]
			}
			for k, v := range c.want {
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%s = %q (present %v), want %q", k, g, ok, v)
				}
			}
		})
	}
}

func TestInbox(t *testing.T) {
	loc := belgrade(t)
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tk := func(received string, c inquiry.Category, ch inquiry.Channel, l inquiry.Language, officer string, answerHours int) inquiry.Ticket {
		t := inquiry.Ticket{Category: c, Channel: ch, Language: l, OfficerID: officer, State: inquiry.Assigned, ReceivedAt: at(received)}
		if answerHours > 0 {
			t.State, t.AnsweredAt = inquiry.Answered, t.ReceivedAt.Add(time.Duration(answerHours)*time.Hour)
		}
		return t
	}
	tickets := []inquiry.Ticket{
		tk("2026-02-28 23:59", inquiry.PressInquiry, inquiry.ChannelEmail, inquiry.English, "zamira", 1), // the day before: out
		tk("2026-03-01 00:00", inquiry.PressInquiry, inquiry.ChannelEmail, inquiry.English, "zamira", 2),
		tk("2026-03-10 10:00", inquiry.DocumentRequest, inquiry.ChannelTelegram, inquiry.Albanian, "jusuf", 0),
		tk("2026-03-15 10:00", inquiry.GeneralQuestion, inquiry.ChannelEmail, inquiry.SerbianLatin, "zamira", 6),
		tk("2026-03-31 23:59", inquiry.PressInquiry, inquiry.ChannelTelegram, inquiry.Albanian, "jusuf", 10),
		tk("2026-04-01 00:00", inquiry.PressInquiry, inquiry.ChannelEmail, inquiry.English, "zamira", 1), // the day after: out
		{Category: inquiry.GeneralQuestion, State: inquiry.BulkMail, ReceivedAt: at("2026-03-02 09:00")},
		{Category: inquiry.GeneralQuestion, State: inquiry.SpamMail, ReceivedAt: at("2026-03-02 09:00")},
	}
	r := Inbox(tickets, at("2026-03-01 00:00"), at("2026-03-31 00:00"), loc)
	cases := []struct {
		name      string
		got, want any
	}{
		{"received", []int{r.Received, r.Bulk, r.Spam, r.Answered}, []int{4, 1, 1, 3}},
		{"by category", r.ByCategory, map[string]int{"press_inquiry": 2, "document_request": 1, "general_question": 1}},
		{"by channel", r.ByChannel, map[string]int{"email": 2, "telegram": 2}},
		{"by language", r.ByLanguage, map[string]int{"en": 1, "sq": 2, "sr-Latn": 1}},
		{"by officer", r.ByOfficer, map[string]int{"zamira": 2, "jusuf": 2}},
		{"answer hours", []float64{deref(r.MedianAnswerHours), deref(r.P90AnswerHours)}, []float64{6, 9.2}},
		{"period", r.From + " " + r.To, "2026-03-01 2026-03-31"},
	}
	for _, c := range cases {
		if a, b := mustJSON(t, c.got), mustJSON(t, c.want); a != b {
			t.Errorf("%s: %s, want %s", c.name, a, b)
		}
	}
}

func TestText(t *testing.T) {
	loc := belgrade(t)
	r := AccessDocuments([]inquiry.Ticket{closedAfter(request(1, inquiry.ChannelEmail), 2, inquiry.Granted)}, 2026, loc, day(100))
	var buf bytes.Buffer
	if err := r.Write(&buf, "text"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"Access to public documents, 2026", "Granted (qasje e lejuar)", "Complaints (ankesa)", "Refusal grounds (bazat e refuzimit)\n  (none)", "2026-01", "2.0 days"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if err := r.Write(&buf, "pdf"); err == nil {
		t.Error("pdf: no error")
	}
	if err := Inbox(nil, day(0), day(1), loc).Write(&buf, "html"); err == nil || !strings.Contains(err.Error(), "no html") {
		t.Errorf("inbox html: %v, want an error", err)
	}
}

func deref(x *float64) float64 {
	if x == nil {
		return -1
	}
	return *x
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The CSV carries what the JSON's by_month does: each month's outcomes and
// how many of its pending requests are past their due date.
func TestCSVCarriesMonthOutcomes(t *testing.T) {
	loc := belgrade(t)
	r := AccessDocuments([]inquiry.Ticket{
		closedAfter(request(60, inquiry.ChannelEmail), 5, inquiry.Refused), // March, refused
		request(61, inquiry.ChannelEmail),                                  // March, open past due
	}, 2026, loc, day(200))
	var out bytes.Buffer
	if err := r.Write(&out, "csv"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, row := range rows {
		got[row[0]+" "+row[1]] = row[2]
	}
	for key, want := range map[string]string{
		"by_month_outcome 2026-03/refused": "1",
		"by_month_outcome 2026-03/pending": "1",
		"by_month_overdue 2026-03":         "1",
		"by_month_overdue 2026-04":         "0",
	} {
		if got[key] != want {
			t.Errorf("row %q = %q, want %q", key, got[key], want)
		}
	}
}
