package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"sportel/app"
	"sportel/internal/testutil"
	"sportel/store"
)

func TestWebSessionsCommands(t *testing.T) {
	path, vars, cfg := openTicketsConfig(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, o := range []string{"jusuf", "jusuf", "zamira"} {
		ws := &store.WebSession{TokenHash: strings.Repeat("a", i+1), OfficerID: o, ClientIP: "127.0.0.1", CreatedAt: now, LastSeen: now}
		if err := a.Store().CreateSession(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []store.AuditEntry{
		{OfficerID: "jusuf", Action: "signin", At: now},
		{OfficerID: "jusuf", Action: "close", Ticket: "DKP-2026-000001", Detail: "refused personal_data\x1b[2J", At: now.Add(time.Second)},
	} {
		if err := a.Store().AddAudit(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	delete(vars, "SPORTEL_DEMO_IMAP_PASSWORD") // needs no secrets

	steps := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{[]string{"sessions", "list"}, 0, "zamira"},
		{[]string{"sessions", "revoke", "1"}, 0, "revoked session 1"},
		{[]string{"sessions", "revoke", "1"}, 1, ""},
		{[]string{"sessions", "revoke", "x"}, 2, ""},
		{[]string{"sessions", "revoke"}, 2, ""},
		{[]string{"sessions", "revoke", "--officer", "nobody"}, 2, ""},
		{[]string{"sessions", "revoke", "--officer", "zamira"}, 0, "revoked 1 sessions of zamira"},
		{[]string{"sessions", "bogus"}, 2, ""},
		{[]string{"audit"}, 0, `close   DKP-2026-000001  refused personal_data\x1b[2J`},
		{[]string{"audit", "--limit", "1"}, 0, "DKP-2026-000001"},
		{[]string{"audit", "--limit", "-1"}, 2, ""},
	}
	for _, st := range steps {
		args := append([]string{"web"}, st.args...)
		args = append(args, "--config", path)
		code, out, errOut := runCmd(t, "", vars, args...)
		if code != st.wantCode || !strings.Contains(out, st.wantOut) {
			t.Errorf("%v = %d\n%s%s\nwant %d with %q", st.args, code, out, errOut, st.wantCode, st.wantOut)
		}
	}
	code, out, _ := runCmd(t, "", vars, "web", "sessions", "list", "--json", "--config", path)
	var rows []struct {
		ID      int64  `json:"id"`
		Officer string `json:"officer"`
	}
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) != 1 || rows[0].ID != 2 || rows[0].Officer != "jusuf" {
		t.Errorf("list --json = %d %v %+v; want only jusuf's session 2", code, err, rows)
	}
}
