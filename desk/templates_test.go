package desk

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLoadTemplatesReportsEveryBrokenOne: an operator fixing overrides
// (at start, or on a reload) sees every broken template at once.
func TestLoadTemplatesReportsEveryBrokenOne(t *testing.T) {
	cases := []struct {
		name   string
		files  map[string]string
		broken []string
	}{
		{name: "none", files: nil},
		{name: "a good override", files: map[string]string{"ack.en.tmpl": "Ticket {{ .Number }}"}},
		{name: "two broken acknowledgements and a notice", files: map[string]string{
			"ack.sq.tmpl":       "Numri {{ .Number ",
			"ack.en.tmpl":       "Ticket {{ .Nope }}",
			"extension.sq.tmpl": "{{ if }}",
		}, broken: []string{"parse template ack.sq.tmpl", "render template ack.en.tmpl", "parse template extension.sq.tmpl"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range c.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := LoadTemplates(dir)
			if len(c.broken) == 0 {
				if err != nil {
					t.Fatalf("LoadTemplates: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("LoadTemplates accepted broken templates")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(c.broken) {
				t.Errorf("%d problems reported, want %d:\n%v", len(lines), len(c.broken), err)
			}
			for _, want := range c.broken {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error lacks %q:\n%v", want, err)
				}
			}
		})
	}
}

// An override that is a FIFO is refused at once, not waited on: opening it
// would wait for a writer in a system call no stop can interrupt, and hang
// the start (or a reload) with it.
func TestLoadTemplatesRefusesAFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "ack.sq.tmpl")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Were the FIFO opened, this writer would answer it with a good
	// template, so a broken check fails the test instead of hanging it.
	go func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.WriteString("Numri {{ .Number }}")
			f.Close()
		}
	}()
	t.Cleanup(func() {
		// Releases the writer when the FIFO was (rightly) never opened.
		if f, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	_, err := LoadTemplates(dir)
	if err == nil || !strings.Contains(err.Error(), fifo+": not a regular file") {
		t.Fatalf("LoadTemplates with a FIFO for ack.sq.tmpl: %v, want it refused as not a regular file", err)
	}
}
