package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fullWriter fails every write, as standard output redirected to a file on
// a full disk does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// A reading command whose output cannot be written exits 1 saying why:
// `sportel tickets show N > record.txt` on a full disk, in a script, must
// not exit 0 with the ticket's record cut short or missing.
func TestReadingCommandsFailWhenTheOutputCannotBeWritten(t *testing.T) {
	path, vars, cfg := openTicketsConfig(t)
	fileForCLI(t, cfg)
	db := cfg.Store.DSN
	for _, c := range []struct {
		name string
		args []string
	}{
		{"show", []string{"tickets", "show", "DKP-2026-000001", "--db", db}},
		{"show --json", []string{"tickets", "show", "DKP-2026-000001", "--json", "--db", db}},
		{"list", []string{"tickets", "list", "--db", db}},
		{"attachments listed", []string{"tickets", "attachment", "DKP-2026-000001", "--db", db}},
		{"no attachments", []string{"tickets", "attachment", "DKP-2026-000002", "--db", db}},
		{"attachment to standard output", []string{"tickets", "attachment", "DKP-2026-000001", "1", "-o", "-", "--db", db}},
		{"report", []string{"report", "access-documents", "--year", "2026", "--db", db}},
		{"web sessions", []string{"web", "sessions", "list", "--config", path}},
		{"web sessions --json", []string{"web", "sessions", "list", "--json", "--config", path}},
		{"web audit", []string{"web", "audit", "--config", path}},
		{"web audit --json", []string{"web", "audit", "--json", "--config", path}},
	} {
		args := c.args
		t.Run(c.name, func(t *testing.T) {
			var errOut bytes.Buffer
			code := run(args, &env{stdin: strings.NewReader(""), stdout: fullWriter{}, stderr: &errOut,
				getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }})
			if code != 1 || !strings.Contains(errOut.String(), syscall.ENOSPC.Error()) {
				t.Errorf("%v: exit %d, stderr %q; want exit 1 and %q", args, code, errOut.String(), syscall.ENOSPC.Error())
			}
		})
	}
}

// --force over what is not a file (a device, a FIFO) writes into it and
// leaves it as it was: root saving to /dev/null must not make /dev/null
// root's alone.
func TestAttachmentForcedIntoAFIFOKeepsItsMode(t *testing.T) {
	_, _, cfg := openTicketsConfig(t)
	fileForCLI(t, cfg)
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o666); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Chmod(fifo, 0o666); err != nil { // past the umask
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(f)
		got <- b.Bytes()
	}()
	code, out, errOut := runCmd(t, "", nil, "tickets", "attachment", "DKP-2026-000001", "1", "-o", fifo, "--force", "--db", cfg.Store.DSN)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if b := <-got; string(b) != "%PDF-1.4\n" {
		t.Errorf("the FIFO read %q", b)
	}
	fi, err := os.Stat(fifo)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			t.Fatal("the FIFO was removed")
		}
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o666 {
		t.Errorf("the FIFO's mode is now %v, want -rw-rw-rw- as it was", fi.Mode().Perm())
	}
}
