package desk

import (
	"os"
	"path/filepath"
	"strings"
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
