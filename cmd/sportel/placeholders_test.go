package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The example configuration, which the package installs as
// /etc/sportel/sportel.yaml, names addresses in the reserved .example
// domain: check-config still passes it, but says which keys an
// administrator has not yet made the division's.
func TestCheckConfigNamesExampleAddresses(t *testing.T) {
	example, err := os.ReadFile("../../sportel.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const warning = "still example addresses"
	tests := []struct {
		name     string
		edit     func(string) string
		wantKeys []string // nil: no warning
	}{
		{"as shipped", func(s string) string { return s },
			[]string{"mailbox.address", "imap.username", "officers[0].email (osman)", "officers[1].email (jusuf)", "officers[2].email (zamira)"}},
		{"one officer left", func(s string) string {
			s = strings.ReplaceAll(s, "@mkrs.example", "@mkrs.rks-gov.net")
			return strings.Replace(s, "zamira.ahmeti@mkrs.rks-gov.net", "zamira.ahmeti@example.com", 1)
		}, []string{"officers[2].email (zamira)"}},
		{"smtp login left", func(s string) string {
			s = strings.ReplaceAll(s, "@mkrs.example", "@mkrs.rks-gov.net")
			return strings.Replace(s, "  username: \"\"\n", "  username: relay@test\n", 1)
		}, []string{"smtp.username"}},
		{"all edited", func(s string) string { return strings.ReplaceAll(s, "@mkrs.example", "@mkrs.rks-gov.net") }, nil},
		// A domain that only ends like a reserved one is the division's.
		{"lookalike domain", func(s string) string { return strings.ReplaceAll(s, "@mkrs.example", "@notexample.com") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sportel.yaml")
			conf := tt.edit(string(example))
			vars := map[string]string{"SPORTEL_IMAP_PASSWORD": "x"}
			if strings.Contains(conf, "relay@test") {
				vars["SPORTEL_SMTP_PASSWORD"] = "y" // a login needs its password
			}
			if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCmd(t, "", vars, "check-config", "--config", path)
			if code != 0 {
				t.Fatalf("exit %d, want 0 (a warning, not an error)\n%s%s", code, out, errOut)
			}
			line := ""
			for _, l := range strings.Split(out, "\n") {
				if strings.Contains(l, warning) {
					line = l
				}
			}
			if tt.wantKeys == nil {
				if line != "" {
					t.Errorf("unexpected warning: %s", line)
				}
				return
			}
			if line == "" {
				t.Fatalf("no %q line:\n%s", warning, out)
			}
			for _, k := range tt.wantKeys {
				if !strings.Contains(line, k) {
					t.Errorf("warning lacks %s: %s", k, line)
				}
			}
			if n := strings.Count(line, ", ") + 1; n != len(tt.wantKeys) {
				t.Errorf("warning names %d keys, want %d: %s", n, len(tt.wantKeys), line)
			}
		})
	}
}
