package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/route"
	"sportel/store"
)

// noClassifier is the desk's classifier where nothing is filed by mail.
type noClassifier struct{}

func (noClassifier) Classify(context.Context, *inquiry.Message) (inquiry.Classification, error) {
	return inquiry.Classification{}, nil
}

// Browsers send UTF-8 only; bytes that are not UTF-8 in a query or a form
// come from a hand-made request. PostgreSQL refuses them in text (the
// officer read "the system failed", the log an error), SQLite kept them
// and the answer went out to the citizen broken. They are refused whole,
// before any handler, on either driver: 400, nothing written, no error
// logged.
func TestInvalidUTF8Refused(t *testing.T) {
	const number = "DKP-2026-000001"
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	head := inquiry.Officer{ID: "osman", Name: "Osman Gashi", Email: "osman@mkrs.example", Role: inquiry.RoleHead}
	for _, drv := range drivers {
		t.Run(drv.Name, func(t *testing.T) {
			st := drv.Open(t)
			ds := st.(desk.Store)
			d, err := desk.New(desk.Config{Mailbox: inquiry.Address{Name: "DKP", Address: "komunikimi@mkrs.example"}, Prefix: "DKP",
				Location: time.UTC, DocumentDeadlineDays: 7, Officers: []inquiry.Officer{head}},
				ds, noClassifier{}, route.New([]route.Rule{{Officer: head.ID}}), testutil.DiscardLogger())
			if err != nil {
				t.Fatal(err)
			}
			d.SetClock(func() time.Time { return now })
			logs := testutil.NewLogBuffer(t)
			s, err := New(Config{BaseURL: "http://sportel.test", Officers: []inquiry.Officer{head}, Location: time.UTC,
				Now: func() time.Time { return now }}, st.(Store), d, logs.Logger(slog.LevelInfo))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(s)
			t.Cleanup(srv.Close)
			ctx := context.Background()
			var ticketID int64
			err = ds.WithTx(ctx, func(tx store.Tx) error {
				tk := &inquiry.Ticket{Number: number, Channel: inquiry.ChannelEmail, Sender: inquiry.Address{Address: "arben@example.net"},
					Subject: "Pyetje", Language: inquiry.English, Category: inquiry.GeneralQuestion, OfficerID: head.ID,
					State: inquiry.Assigned, ReceivedAt: now, UpdatedAt: now}
				if err := tx.CreateTicket(tk); err != nil {
					return err
				}
				ticketID = tk.ID
				return tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arben@example.net", Text: "Tekst", CreatedAt: now})
			})
			if err != nil {
				t.Fatal(err)
			}
			tok := newToken()
			if err := st.(Store).CreateSession(ctx, &store.WebSession{TokenHash: hashToken(tok), OfficerID: head.ID, CreatedAt: now, LastSeen: now}); err != nil {
				t.Fatal(err)
			}
			jar, _ := cookiejar.New(nil)
			u, _ := url.Parse(srv.URL)
			jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: tok}})
			client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			send := func(method, path string, form url.Values) (int, string) {
				var body io.Reader
				if form != nil {
					form.Set("csrf", csrfFor(tok))
					body = strings.NewReader(form.Encode())
				}
				req, err := http.NewRequest(method, srv.URL+path, body)
				if err != nil {
					t.Fatal(err)
				}
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			record := func() (int, inquiry.Ticket) {
				es, err := st.(store.Reader).Entries(ctx, ticketID)
				if err != nil {
					t.Fatal(err)
				}
				tk, _, err := st.(Store).TicketByNumber(ctx, number)
				if err != nil {
					t.Fatal(err)
				}
				return len(es), tk
			}
			cases := []struct {
				name, method, path string
				form               url.Values
				want               int
			}{
				{"queue by officer", "GET", "/?officer=%ff", nil, http.StatusBadRequest},
				{"queue by category", "GET", "/?category=%ff", nil, http.StatusBadRequest},
				{"queue by language", "GET", "/?language=%c3", nil, http.StatusBadRequest},
				{"queue by channel", "GET", "/?channel=a%80", nil, http.StatusBadRequest},
				{"search", "GET", "/?q=leje%ff", nil, http.StatusBadRequest},
				{"a key", "GET", "/?%ff=1", nil, http.StatusBadRequest},
				{"ticket's standard text", "GET", "/t/" + number + "?std=%ff", nil, http.StatusBadRequest},
				{"note", "POST", "/t/" + number + "/note", url.Values{"text": {"Thirrje\xff"}}, http.StatusBadRequest},
				{"answer", "POST", "/t/" + number + "/answer", url.Values{"text": {"Dear Sir,\n\xc3\n"}}, http.StatusBadRequest},
				{"close's note", "POST", "/t/" + number + "/close", url.Values{"outcome": {"resolved"}, "note": {"\xed\xa0\x80"}}, http.StatusBadRequest},
				{"a form's key", "POST", "/t/" + number + "/note", url.Values{"text": {"Shënim"}, "\xff": {"x"}}, http.StatusBadRequest},
				{"the queue in UTF-8", "GET", "/?q=l%C3%ABje&officer=osman", nil, http.StatusOK},
				{"a note in UTF-8", "POST", "/t/" + number + "/note", url.Values{"text": {"Shënim: thirri në telefon"}}, http.StatusSeeOther},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					n, before := record()
					logged := len(logs.String())
					status, body := send(c.method, c.path, c.form)
					if status != c.want {
						t.Fatalf("%s %s = %d, want %d\n%.300s", c.method, c.path, status, c.want, body)
					}
					if c.want != http.StatusBadRequest {
						return
					}
					if !strings.Contains(body, translate(inquiry.Albanian, "bad_request")) {
						t.Errorf("the page does not say the request could not be read:\n%.300s", body)
					}
					if m, after := record(); m != n || after.State != before.State || !after.UpdatedAt.Equal(before.UpdatedAt) {
						t.Errorf("the refused request changed the ticket: %d entries → %d, %s → %s", n, m, before.State, after.State)
					}
					if l := logs.String()[logged:]; strings.Contains(l, "level=ERROR") {
						t.Errorf("logged as a failure:\n%s", l)
					}
				})
			}
		})
	}
}
