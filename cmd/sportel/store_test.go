package main

import (
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

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
		{"copy", []string{"store", "copy", "--from", "sqlite:" + src, "--to", "sqlite:" + dst}, 0,
			[]string{"copied sqlite:" + src + " to sqlite:" + dst, "tickets 13 rows", "ticket_sequences 1 rows", "every table counts the same"}, ""},
		{"into a store that is not empty", []string{"store", "copy", "--from", "sqlite:" + src, "--to", "sqlite:" + dst}, 1,
			nil, "the target is not empty (tickets has 13 rows)"},
		{"no target", []string{"store", "copy", "--from", "sqlite:" + src}, 2, nil, "Usage: sportel store copy"},
		{"a bare path", []string{"store", "copy", "--from", src, "--to", "sqlite:" + dst}, 2, nil, "want sqlite:PATH or postgres:DSN"},
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
