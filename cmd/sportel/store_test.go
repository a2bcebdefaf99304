package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// store copy moves the demo's store (the whole pipeline, mail and
// Telegram) into a new file and refuses to fill one that is not empty.
// PostgreSQL both ways is tested in store/storecopy.
func TestStoreCopy(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	code, out, errOut := runCmd(t, "", nil, "demo", "--keep")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, errOut)
	}
	m := regexp.MustCompile(`The store is kept at (\S+);`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("demo did not say where its store is:\n%s", out)
	}
	src := m[1]
	// The command the demo suggests works as printed.
	try := regexp.MustCompile(`try: sportel (.+)\n`).FindStringSubmatch(out)
	if try == nil {
		t.Fatalf("demo suggests no command:\n%s", out)
	}
	if code, listed, errOut := runCmd(t, "", nil, strings.Fields(try[1])...); code != 0 || !strings.Contains(listed, "DKP-") {
		t.Errorf("sportel %s: exit %d\n%s%s", try[1], code, listed, errOut)
	}
	dst := filepath.Join(t.TempDir(), "copy.db")
	older, olderVersion := olderStore(t, src)

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
		{"copy", []string{"store", "copy", "--from", "sqlite:" + src, "--to", "sqlite:" + dst}, 0,
			[]string{"copied sqlite:" + src + " to sqlite:" + dst, "tickets 14 rows", "ticket_sequences 1 rows", "every table counts the same"}, ""},
		{"into a store that is not empty", []string{"store", "copy", "--from", "sqlite:" + src, "--to", "sqlite:" + dst}, 1,
			nil, "the target is not empty (tickets has 14 rows)"},
		{"no target", []string{"store", "copy", "--from", "sqlite:" + src}, 2, nil, "Usage: sportel store copy"},
		{"a bare path", []string{"store", "copy", "--from", src, "--to", "sqlite:" + dst}, 2, nil, "want sqlite:PATH or postgres:DSN"},
		{"a source from an older sportel", []string{"store", "copy", "--from", "sqlite:" + older, "--to", "sqlite:" + filepath.Join(t.TempDir(), "new.db")}, 1,
			nil, "older than this program's (" + fmt.Sprint(olderVersion+1) + "), and store copy never changes its source: run this version's `sportel run` on it once"},
		{"unknown subcommand", []string{"store", "move"}, 2, nil, `unknown subcommand "move"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			flat := strings.Join(strings.Fields(out), " ")
			for _, w := range tt.wantOut {
				if !strings.Contains(flat, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errOut)
			}
		})
	}
	// The copy reads like the original.
	_, orig, _ := runCmd(t, "", nil, "tickets", "list", "--all", "--db", src)
	_, copied, _ := runCmd(t, "", nil, "tickets", "list", "--all", "--db", dst)
	if orig != copied || !strings.Contains(orig, "DKP-") {
		t.Errorf("tickets list differs:\noriginal:\n%s\ncopy:\n%s", orig, copied)
	}
}

// olderStore copies the store at src to a new file and makes it look like
// one of the previous release (one migration not recorded), and returns
// it and its schema version; at the end of the test it checks the version
// is still that one.
func olderStore(t *testing.T, src string) (path string, version int) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "old.db")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM schema_version WHERE version = (SELECT MAX(version) FROM schema_version)`); err != nil {
		t.Fatal(err)
	}
	var olderVersion int
	if err := db.QueryRow(`SELECT MAX(version) FROM schema_version`).Scan(&olderVersion); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var v int
		if err := db.QueryRow(`SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil || v != olderVersion {
			t.Errorf("the refused copy left the source at schema version %d (%v), want %d", v, err, olderVersion)
		}
	})
	return p, olderVersion
}
