package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A password_file missing from a directory that is there (a misspelt name,
// a file never put in place) fails check-config, as `sportel run` would
// fail, rather than pass as a secret this user cannot read; the commands
// that need no secrets still work with it.
func TestCheckConfigMissingSecretFile(t *testing.T) {
	path := ticketsConfig(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "imap-pasword")
	text := strings.Replace(string(data), "  password: ${SPORTEL_DEMO_IMAP_PASSWORD}\n", "  password_file: "+missing+"\n", 1)
	if text == string(data) {
		t.Fatal("the test configuration has no imap password line to replace")
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"check-config", "--config", path}, 1, "imap.password_file: read secret: open " + missing + ": no such file or directory"},
		{[]string{"calendar", "due", "--received", "2026-12-24T16:00", "--config", path}, 0, "2026-12-31T23:59:59+01:00"},
	}
	for _, s := range steps {
		code, out, errOut := runCmd(t, "", map[string]string{}, s.args...)
		if code != s.code || !strings.Contains(out+errOut, s.want) {
			t.Errorf("%v: exit %d, output %q %q; want exit %d containing %q", s.args, code, out, errOut, s.code, s.want)
		}
	}
}
