package config

import (
	"slices"
	"strings"
	"testing"
)

// TestChanged parses the example with one edit at a time and checks that
// exactly the edited keys are named, a secret's included (by name only).
func TestChanged(t *testing.T) {
	env := map[string]string{"SPORTEL_IMAP_PASSWORD": "imap-pw"}
	base := string(readExample(t))
	parse := func(t *testing.T, text string, env map[string]string) *Config {
		t.Helper()
		cfg, err := Parse([]byte(text), envMap(env))
		if err != nil {
			t.Fatalf("parse:\n%v", err)
		}
		return cfg
	}
	cases := []struct {
		name     string
		old, new string
		env      map[string]string
		want     []string
	}{
		{name: "nothing", want: nil},
		{name: "an officer's address", old: "email: jusuf.lushaku@mkrs.example", new: "email: jusuf.l@mkrs.example", want: []string{"officers"}},
		{name: "a routing rule", old: "officer: jusuf", new: "officer: zamira", want: []string{"routing"}},
		{name: "a server and a timeout", old: "poll_interval: 60s", new: "poll_interval: 30s", want: []string{"imap.poll_interval"}},
		{name: "a secret, by name", env: map[string]string{"SPORTEL_IMAP_PASSWORD": "new-pw"}, want: []string{"imap.password"}},
		{name: "a section added", old: "metrics:", new: "telegram:\n  token: ${TG}\nmetrics:", env: map[string]string{"SPORTEL_IMAP_PASSWORD": "imap-pw", "TG": "1:x"}, want: []string{"telegram"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := base
			if c.old != "" {
				if !strings.Contains(base, c.old) {
					t.Fatalf("the example has no %q", c.old)
				}
				text = strings.Replace(base, c.old, c.new, 1)
			}
			newEnv := env
			if c.env != nil {
				newEnv = c.env
			}
			got := Changed(parse(t, base, env), parse(t, text, newEnv))
			if !slices.Equal(got, c.want) {
				t.Errorf("Changed = %q, want %q", got, c.want)
			}
			for _, k := range got {
				if strings.Contains(k, "pw") {
					t.Errorf("a key path holds a value: %q", k)
				}
			}
		})
	}
}
