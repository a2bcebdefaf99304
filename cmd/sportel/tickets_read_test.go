package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/app"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// Reading commands need neither the configuration's secrets (--db) nor a
// database that is not there: they never create one.
func TestTicketsReadWithoutSecrets(t *testing.T) {
	path, vars, cfg := openTicketsConfig(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	m := &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: "mail:r1@x|arben@example.net|h", MessageID: "r1@x",
		From: inquiry.Address{Address: "arben@example.net"}, Subject: "Kërkesë për dokument",
		Text: "Kërkoj kopjen e kontratës për renovimin e stadiumit.", ReceivedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	if _, err := a.Desk().Handle(ctx, m); err != nil {
		t.Fatal(err)
	}
	a.Close()
	db := cfg.Store.DSN
	missing := filepath.Join(t.TempDir(), "elsewhere", "sportel.db")
	noSecrets := map[string]string{} // the IMAP password is not in the environment

	steps := []struct {
		name string
		vars map[string]string
		args []string
		code int
		want string
	}{
		{"list by --db", noSecrets, []string{"tickets", "list", "--db", db}, 0, "DKP-"},
		{"show by --db, times in Europe/Belgrade", noSecrets, []string{"tickets", "show", "DKP-2026-000001", "--db", db}, 0, "2026-12-01T10:00:00+01:00"},
		{"automated by --db", noSecrets, []string{"tickets", "list", "--automated", "--db", db}, 0, "SUBJECT"},
		{"bad state by --db", noSecrets, []string{"tickets", "list", "--state", "open", "--db", db}, 2, `unknown state "open"`},
		{"missing database", noSecrets, []string{"tickets", "list", "--db", missing}, 1, "no database at " + missing},
		{"--db does not act", noSecrets, []string{"tickets", "spam", "DKP-2026-000001", "--db", db}, 2, "flag provided but not defined: -db"},
		{"--config without the secrets", noSecrets, []string{"tickets", "list", "--config", path}, 0, "DKP-"},
		{"check-config without the secrets", noSecrets, []string{"check-config", "--config", path}, 0, "secrets not checked (not available to this user): imap.password"},
		{"--config still works", vars, []string{"tickets", "list", "--config", path}, 0, "DKP-"},
		{"by sender", noSecrets, []string{"tickets", "list", "--db", db, "--sender", "ARBEN@example.net"}, 0, "DKP-2026-000001"},
		{"by category", noSecrets, []string{"tickets", "list", "--db", db, "--category", "document_request"}, 0, "DKP-2026-000001"},
		{"unknown category", noSecrets, []string{"tickets", "list", "--db", db, "--category", "docs"}, 2, `unknown category "docs"`},
		{"received on the day", noSecrets, []string{"tickets", "list", "--db", db, "--since", "2026-12-01", "--until", "2026-12-01"}, 0, "DKP-2026-000001"},
		{"bad date", noSecrets, []string{"tickets", "list", "--db", db, "--since", "1 Dec"}, 2, "not a date"},
		{"backup without the secrets", noSecrets, []string{"backup", "--config", path, filepath.Join(t.TempDir(), "copy.db")}, 0, "backed up"},
		{"calendar without the secrets", noSecrets, []string{"calendar", "due", "--received", "2026-12-24T16:00", "--config", path}, 0, "2026-12-31T23:59:59+01:00"},
		{"eval without the secrets", noSecrets, []string{"eval", "--config", path, filepath.Join(t.TempDir(), "none.jsonl")}, 1, "none.jsonl"},
		{"list takes no arguments", vars, []string{"tickets", "list", "DKP-2026-000001", "--config", path}, 2, "takes no arguments"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", s.vars, s.args...)
			if code != s.code || !strings.Contains(out+errOut, s.want) {
				t.Errorf("%v: exit %d, output %q %q; want exit %d containing %q", s.args, code, out, errOut, s.code, s.want)
			}
		})
	}
	if code, out, _ := runCmd(t, "", vars, "check-config", "--config", path); code != 0 || strings.Contains(out, "secrets not checked") {
		t.Errorf("check-config with the secrets: exit %d, output %q; want no unchecked secrets", code, out)
	}
	if code, _, errOut := runCmd(t, "", noSecrets, "check-config", "--connect", "--config", path); code != 1 || !strings.Contains(errOut, "SPORTEL_DEMO_IMAP_PASSWORD is not set") {
		t.Errorf("check-config --connect without the secrets: exit %d, %q; want exit 1 naming the variable", code, errOut)
	}
	// Tickets outside the filters are not listed (the header alone is).
	for _, args := range [][]string{
		{"--sender", "other@example.net"},
		{"--category", "press_inquiry"},
		{"--since", "2026-12-02"},
		{"--until", "2026-11-30"},
		{"--state", "closed"},
	} {
		code, out, errOut := runCmd(t, "", noSecrets, append([]string{"tickets", "list", "--db", db}, args...)...)
		if code != 0 || strings.Contains(out, "DKP-2026-000001") {
			t.Errorf("list %v: exit %d, output %q %q; want the ticket left out", args, code, out, errOut)
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("reading a missing database created %s (%v)", missing, err)
	}
}

// A listing is cut at --limit (500 unless given) and says so on standard
// error, so JSON on standard output stays whole; --limit 0 lists all.
func TestTicketsListLimit(t *testing.T) {
	_, _, cfg := openTicketsConfig(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	received := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		from := inquiry.Address{Address: fmt.Sprintf("qytetar%d@example.net", i)}
		m := &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: fmt.Sprintf("mail:l%d@x|%s|h", i, from.Address), MessageID: fmt.Sprintf("l%d@x", i),
			From: from, Subject: "Kërkesë për dokument", Text: "Kërkoj kopjen e kontratës për renovimin e stadiumit.", ReceivedAt: received.Add(time.Duration(i) * time.Hour)}
		if _, err := a.Desk().Handle(ctx, m); err != nil {
			t.Fatal(err)
		}
		bad := &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: fmt.Sprintf("mail:q%d@x|%s|h", i, from.Address), From: from,
			Subject: fmt.Sprintf("e palexueshme %d", i), ReceivedAt: received}
		if _, err := a.Desk().Quarantine(ctx, bad, "unreadable MIME"); err != nil {
			t.Fatal(err)
		}
	}
	addFailedAcks(t, a, "limit", 3)
	a.Close()
	db := cfg.Store.DSN

	tests := []struct {
		name     string
		args     []string
		code     int
		rows     int    // lines holding row, or JSON items holding it
		row      string // what every listed item holds
		more     bool   // the note on standard error
		asJSON   bool
		errorSay string
	}{
		{"tickets by default", []string{"--all"}, 0, 3, "DKP-2026-", false, false, ""},
		{"tickets cut", []string{"--all", "--limit", "2"}, 0, 2, "DKP-2026-", true, false, ""},
		{"tickets exactly at the limit", []string{"--all", "--limit", "3"}, 0, 3, "DKP-2026-", false, false, ""},
		{"tickets cut, as JSON", []string{"--all", "--limit", "1", "--json"}, 0, 1, `"number": "DKP-2026-`, true, true, ""},
		{"tickets, all", []string{"--all", "--limit", "0"}, 0, 3, "DKP-2026-", false, false, ""},
		{"tickets within the days, cut", []string{"--all", "--since", "2026-12-01", "--until", "2026-12-01", "--limit", "2"}, 0, 2, "DKP-2026-", true, false, ""},
		{"set aside cut", []string{"--automated", "--limit", "2"}, 0, 2, "e palexueshme", true, false, ""},
		{"set aside, all", []string{"--automated", "--limit", "0"}, 0, 3, "e palexueshme", false, false, ""},
		{"failed jobs cut", []string{"--failed-jobs", "--limit", "2"}, 0, 2, "relay refused", true, false, ""},
		{"failed jobs cut, as JSON", []string{"--failed-jobs", "--limit", "2", "--json"}, 0, 2, `"recipient": "q`, true, true, ""},
		{"failed jobs by default", []string{"--failed-jobs"}, 0, 3, "relay refused", false, false, ""},
		{"a negative limit", []string{"--limit", "-1"}, 2, 0, "", false, false, "give 0 (all) or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", nil, append([]string{"tickets", "list", "--db", db}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d (%q), want %d", code, errOut, tt.code)
			}
			if tt.errorSay != "" {
				if !strings.Contains(errOut, tt.errorSay) {
					t.Errorf("error %q, want it to say %q", errOut, tt.errorSay)
				}
				return
			}
			if rows := strings.Count(out, tt.row); rows != tt.rows {
				t.Errorf("%d items listed, want %d:\n%s", rows, tt.rows, out)
			}
			if more := strings.Contains(errOut, "more match"); more != tt.more {
				t.Errorf("note on standard error %q: said more match %v, want %v", errOut, more, tt.more)
			}
			if strings.Contains(out, "more match") {
				t.Errorf("the note went to standard output: %q", out)
			}
			if tt.asJSON {
				var items []map[string]any
				if err := json.Unmarshal([]byte(out), &items); err != nil || len(items) != tt.rows {
					t.Errorf("JSON %q: %d items, %v; want %d", out, len(items), err, tt.rows)
				}
			}
		})
	}
}
