package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// With SecretsOptional a secret that this user cannot resolve is named, not
// an error; everything else is still checked, and without the option the
// same file fails.
func TestSecretsOptional(t *testing.T) {
	dir := t.TempDir()
	// A credentials directory that is not there (systemd's exists only
	// while the unit runs): the file is out of this user's reach.
	outOfReach := filepath.Join(dir, "sportel.service", "imap")
	cases := []struct {
		name          string
		overrides     map[string]string
		env           map[string]string
		wantUnchecked []string
		wantStrictErr string
		// wantSummary is in check-config's summary: a secret not read is
		// "not checked", never "empty".
		wantSummary string
	}{
		{"imap password variable unset", nil, map[string]string{}, []string{"imap.password"}, "environment variable IMAP_PW is not set", ", password not checked\n"},
		{"credentials directory unset (systemd layout)",
			map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password_file: ${CREDENTIALS_DIRECTORY}/imap\n"},
			map[string]string{}, []string{"imap.password"}, "CREDENTIALS_DIRECTORY is not set", "user u, password not checked\n"},
		{"secret file out of reach",
			map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password_file: " + outOfReach + "\n",
				"smtp": "smtp:\n  addr: smtp.mkrs.example:587\n  username: s\n  password: ${SMTP_PW}\n"},
			map[string]string{}, []string{"imap.password", "smtp.password"}, "read secret", "user s, password not checked\n"},
		{"everything available", nil, map[string]string{"IMAP_PW": "x"}, nil, "", ", password set\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := doc(c.overrides)
			cfg, err := ParseWith(data, envMap(c.env), ParseOptions{SecretsOptional: true})
			if err != nil {
				t.Fatalf("ParseWith(SecretsOptional): %v", err)
			}
			if !reflect.DeepEqual(cfg.UncheckedSecrets, c.wantUnchecked) {
				t.Errorf("UncheckedSecrets = %v, want %v", cfg.UncheckedSecrets, c.wantUnchecked)
			}
			var summary strings.Builder
			cfg.Summary(&summary)
			if !strings.Contains(summary.String(), c.wantSummary) || strings.Contains(summary.String(), "password empty") {
				t.Errorf("summary lacks %q (or says a password is empty):\n%s", c.wantSummary, summary.String())
			}
			_, err = Parse(data, envMap(c.env))
			switch {
			case c.wantStrictErr == "" && err != nil:
				t.Errorf("Parse: %v", err)
			case c.wantStrictErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantStrictErr)):
				t.Errorf("Parse error %v, want %q", err, c.wantStrictErr)
			}
		})
	}
	// Strictly, a password_file that cannot be expanded is one error, not
	// that and "password: required" too.
	for _, section := range []string{"imap", "smtp"} {
		data := doc(map[string]string{section: section + ":\n  addr: " + section + ".mkrs.example:587\n  username: u\n  password_file: ${CREDENTIALS_DIRECTORY}/" + section + "\n"})
		_, err := Parse(data, envMap(map[string]string{"IMAP_PW": "x"}))
		if err == nil || !strings.Contains(err.Error(), section+".password_file: environment variable CREDENTIALS_DIRECTORY is not set") ||
			strings.Contains(err.Error(), section+".password:") {
			t.Errorf("%s: Parse error %v, want the password_file's error alone", section, err)
		}
	}
	// Other mistakes still fail with the option.
	bad := doc(map[string]string{"log": "log:\n  level: verbose\n"})
	if _, err := ParseWith(bad, envMap(nil), ParseOptions{SecretsOptional: true}); err == nil || !strings.Contains(err.Error(), "log.level") {
		t.Errorf("SecretsOptional hid a real error: %v", err)
	}
}

// With SecretFilesMustExist (check-config), a secret file missing from a
// directory that is there is a mistake `sportel run` stops at (a misspelt
// name, a file never put in place): an error naming the key and the file,
// not a secret this user cannot read. Without it (the reading commands) it
// is only not checked.
func TestSecretFilesMustExist(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "imap-pasword")
	cases := []struct {
		name, file string
		mustExist  bool
		wantErr    string
	}{
		{"file missing from its directory", missing, true, "imap.password_file: read secret: open " + missing + ": no such file or directory"},
		{"directory missing", filepath.Join(dir, "sportel.service", "imap"), true, ""},
		{"file missing, reading commands", missing, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := doc(map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password_file: " + c.file + "\n"})
			cfg, err := ParseWith(data, envMap(nil), ParseOptions{SecretsOptional: true, SecretFilesMustExist: c.mustExist})
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("ParseWith: %v", err)
			case c.wantErr == "" && !reflect.DeepEqual(cfg.UncheckedSecrets, []string{"imap.password"}):
				t.Errorf("UncheckedSecrets = %v, want [imap.password]", cfg.UncheckedSecrets)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Errorf("ParseWith error %v, want %q", err, c.wantErr)
			}
		})
	}
}

// A password line left as the example has it (${VAR}, the variable unset)
// beside a password_file added as the README says is two ways of giving the
// password, whether or not the variable is set: the one fix is to delete a
// line, which the variable's own error did not say (it sent the
// administrator to set a variable the unit never sets), and check-config
// without --connect took the pair as a secret it could not read.
func TestPasswordBesideItsFile(t *testing.T) {
	dir := t.TempDir()
	secretPath := filepath.Join(dir, "imap")
	if err := os.WriteFile(secretPath, []byte(fileSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	imapWithFile := func(password, file string) map[string]string {
		return map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n  password: " + password + "\n  password_file: " + file + "\n"}
	}
	imapWith := func(password string) map[string]string { return imapWithFile(password, secretPath) }
	const both = "imap.password_file: set password or password_file, not both"
	cases := []struct {
		name      string
		overrides map[string]string
		env       map[string]string
		wantErr   string // "" for none
	}{
		{"variable unset", imapWith("${IMAP_PW}"), map[string]string{}, both + ": password is ${IMAP_PW}, which is not set; delete that line to read the file"},
		{"variable set", imapWith("${IMAP_PW}"), map[string]string{"IMAP_PW": "x"}, both},
		// check-config as the README has it first, without the unit's
		// CREDENTIALS_DIRECTORY: the file is named all the same.
		{"file in a credentials directory not set", imapWithFile("${IMAP_PW}", "${CREDENTIALS_DIRECTORY}/imap"), map[string]string{}, both + ": password is ${IMAP_PW}"},
		{"variable that may be unset", imapWith("${IMAP_PW:-}"), map[string]string{}, ""},
	}
	for _, c := range cases {
		for _, opts := range []ParseOptions{{}, {SecretsOptional: true, SecretFilesMustExist: true}} {
			t.Run(fmt.Sprintf("%s/secrets optional %v", c.name, opts.SecretsOptional), func(t *testing.T) {
				cfg, err := ParseWith(doc(c.overrides), envMap(c.env), opts)
				if c.wantErr == "" {
					if err != nil {
						t.Fatalf("err = %v", err)
					}
					if got := cfg.IMAP.Password.Reveal(); got != fileSecret || len(cfg.UncheckedSecrets) > 0 {
						t.Errorf("password %q, unchecked %v: want the file's, none unchecked", got, cfg.UncheckedSecrets)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				if strings.Contains(err.Error(), "variable IMAP_PW is not set") {
					t.Errorf("the variable's own error is there too, sending the reader to set it:\n%v", err)
				}
			})
		}
	}
}
