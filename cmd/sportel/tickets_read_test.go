package main

import (
	"context"
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
