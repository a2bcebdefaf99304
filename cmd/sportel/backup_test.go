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
	"sportel/store/drivers"
)

func TestBackupCommand(t *testing.T) {
	path, vars, cfg := openTicketsConfig(t)
	ctx := context.Background()
	// The daemon's store stays open, with its instance lock held, for the
	// whole test: backups are taken beside it.
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	locker, ok := a.Store().(interface{ LockInstance() (func() error, error) })
	if !ok {
		t.Fatalf("%T has no instance lock", a.Store())
	}
	unlock, err := locker.LockInstance()
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	m := &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: "msgid:1@x", MessageID: "1@x", From: inquiry.Address{Address: "arben@example.net"},
		Subject: "Kërkesë", Text: "Kërkoj kopjen e kontratës për renovimin e stadiumit.", ReceivedAt: time.Now()}
	if _, err := a.Desk().Handle(ctx, m); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	steps := []struct {
		name string
		args []string
		vars map[string]string
		code int
		want string // in stdout on success, stderr otherwise
	}{
		{"from the configuration", []string{"backup", filepath.Join(dir, "a.db"), "--config", path}, vars, 0, "a.db ("},
		{"from the file, without the secrets", []string{"backup", "--db", cfg.Store.DSN, filepath.Join(dir, "b.db")}, nil, 0, "backed up " + cfg.Store.DSN},
		{"never over an existing file", []string{"backup", filepath.Join(dir, "a.db"), "--config", path}, vars, 1, "exists"},
		{"a mistyped database", []string{"backup", "--db", filepath.Join(dir, "typo.db"), filepath.Join(dir, "c.db")}, nil, 1, "no such file"},
		{"no FILE", []string{"backup", "--config", path}, vars, 2, "Usage: sportel backup"},
	}
	for _, st := range steps {
		code, out, errOut := runCmd(t, "", st.vars, st.args...)
		got := out
		if st.code != 0 {
			got = errOut
		}
		if code != st.code || !strings.Contains(got, st.want) {
			t.Errorf("%s: %v: exit %d, stdout %q, stderr %q; want exit %d and %q", st.name, st.args, code, out, errOut, st.code, st.want)
		}
	}

	for _, name := range []string{"a.db", "b.db"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want mode -rw-------", name, fi.Mode(), err)
		}
		copied, err := drivers.Open(ctx, drivers.Options{Driver: "sqlite", DSN: p})
		if err != nil {
			t.Fatal(err)
		}
		n, err := copied.CountTickets(ctx)
		copied.Close()
		if err != nil || n != 1 {
			t.Errorf("%s: %d tickets (%v), want 1", name, n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.db")); !os.IsNotExist(err) {
		t.Errorf("the mistyped database was created (%v)", err)
	}
}
