package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Files an administrator may point a setting at by mistake: each is refused
// at once with the key, instead of being read whole (a log, a disk image,
// /dev/zero) or waited on (a FIFO nobody writes).
func TestOversizedAndOddFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bigSecret := write("big-secret", bytes.Repeat([]byte("x"), maxSecretFileBytes+1))
	okSecret := write("ok-secret", []byte(strings.Repeat("x", 4096)+"\n"))
	pemBlock, err := os.ReadFile(func() string { p := filepath.Join(dir, "ca.pem"); writeCA(t, p); return p }())
	if err != nil {
		t.Fatal(err)
	}
	// Real PEM first, so only the size can be the complaint.
	bigCA := write("big-ca.pem", append(pemBlock, bytes.Repeat([]byte("#"), maxCAFileBytes)...))
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Were the FIFO opened, this writer would answer it, so a broken check
	// fails the test instead of hanging it.
	go func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.WriteString(fileSecret)
			f.Close()
		}
	}()
	t.Cleanup(func() {
		// Releases the writer when the FIFO was (rightly) never opened.
		if f, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			time.Sleep(10 * time.Millisecond)
			f.Close()
		}
	})

	imapWith := func(extra string) map[string]string {
		return map[string]string{"imap": "imap:\n  addr: imap.mkrs.example:993\n  username: u\n" + extra}
	}
	cases := []struct {
		name      string
		overrides map[string]string
		opts      ParseOptions
		wantErr   string // "" for none
	}{
		{"secret file of 4 KiB", imapWith("  password_file: " + okSecret + "\n"), ParseOptions{}, ""},
		{"secret file too large", imapWith("  password_file: " + bigSecret + "\n"), ParseOptions{},
			"imap.password_file: " + bigSecret + " is larger than 64KiB"},
		{"secret file too large, secrets optional", imapWith("  password_file: " + bigSecret + "\n"), ParseOptions{SecretsOptional: true},
			"imap.password_file: " + bigSecret + " is larger than 64KiB"},
		{"secret file a FIFO", imapWith("  password_file: " + fifo + "\n"), ParseOptions{},
			"imap.password_file: " + fifo + " is not a regular file"},
		{"secret file a directory", imapWith("  password_file: " + dir + "\n"), ParseOptions{SecretsOptional: true},
			"imap.password_file: " + dir + " is not a regular file"},
		{"CA file a FIFO", map[string]string{"smtp": "smtp:\n  addr: s.example:465\n  ca_file: " + fifo + "\n"}, ParseOptions{},
			"smtp.ca_file: " + fifo + " is not a regular file"},
		{"CA file too large", map[string]string{"smtp": "smtp:\n  addr: s.example:465\n  ca_file: " + bigCA + "\n"}, ParseOptions{},
			"smtp.ca_file: " + bigCA + " is larger than 8MiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseWith(doc(c.overrides), testEnv(), c.opts)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("unexpected error:\n%v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "xxxxxxxx") {
				t.Errorf("the file's content is in the error:\n%.300s", err)
			}
		})
	}
}

// A configuration file larger than any real one is refused before it is
// parsed; one of ordinary size with a long comment still loads.
func TestLoadRefusesAnOversizedFile(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name    string
		pad     int
		wantErr string
	}{
		{"ordinary", 64 << 10, ""},
		{"too large", maxConfigBytes, "is larger than 1MiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "sportel.yaml")
			data := append(doc(nil), "# "+strings.Repeat("x", c.pad)+"\n"...)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, load := range []func() (*Config, error){
				func() (*Config, error) { return Load(path, testEnv()) },
				func() (*Config, error) { return LoadWith(path, testEnv(), ParseOptions{SecretsOptional: true}) },
			} {
				_, err := load()
				switch {
				case c.wantErr == "" && err != nil:
					t.Fatalf("unexpected error:\n%v", err)
				case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), path)):
					t.Fatalf("err = %.300v, want %q naming %s", err, c.wantErr, path)
				}
			}
		})
	}
}

// A file saved in a legacy encoding (Windows-1252 from Notepad) is named as
// such, at the line of the first byte that is not UTF-8.
func TestNotUTF8(t *testing.T) {
	data := doc(map[string]string{"mailbox": "mailbox:\n  address: komunikimi@mkrs.example\n  display_name: \"Divizioni p\xebr Komunikim\"\n"})
	_, err := Parse(data, testEnv())
	want := "the file is not UTF-8 text: save it as UTF-8 (line 3)"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
