package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A command that takes no file refuses one rather than ignore it:
// `sportel check-config /etc/sportel/sportel.yaml` checked ./sportel.yaml
// (answering OK for a file nobody named, or that it could not be read),
// and `sportel run FILE` started on ./sportel.yaml.
func TestStrayArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"check-config given the file without --config", []string{"check-config", "/etc/sportel/sportel.yaml"},
			`sportel check-config: unexpected argument "/etc/sportel/sportel.yaml" (the configuration file is given with --config: sportel check-config --config /etc/sportel/sportel.yaml)`},
		{"run given the file without --config", []string{"run", "other.yml"},
			`sportel run: unexpected argument "other.yml" (the configuration file is given with --config: sportel run --config other.yml)`},
		{"check-config with its flag and a word after", []string{"check-config", "--config", "x.yaml", "now"}, `sportel check-config: unexpected argument "now"` + "\n"},
		{"demo", []string{"demo", "web"}, `sportel demo: unexpected argument "web"` + "\n"},
		{"version", []string{"version", "full"}, `sportel version: unexpected argument "full"` + "\n"},
		{"classify given two files", []string{"classify", "a.eml", "b.eml"}, `sportel classify: unexpected argument "b.eml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", nil, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want exit 2 and %q\n%s", code, errOut, tt.want, out)
			}
		})
	}
}

// `sportel --help` is where a newcomer looks for what there is: a line that
// names one of a command's subcommands as all it does hides the others
// (raise-counter after a restore, the web audit log).
func TestHelpNamesEverySubcommand(t *testing.T) {
	_, out, _ := runCmd(t, "", nil, "--help")
	for cmd, subs := range map[string][]string{
		"store":    {"copy", "raise-counter"},
		"web":      {"sessions", "revoke", "audit"},
		"calendar": {"deadline", "days off"},
		"report":   {"annual report", "inbox"},
	} {
		var line string
		for l := range strings.Lines(out) {
			if strings.HasPrefix(strings.TrimSpace(l), cmd+" ") {
				line = l
			}
		}
		for _, sub := range subs {
			if !strings.Contains(line, sub) {
				t.Errorf("the help's line for %s does not name %q: %q", cmd, sub, line)
			}
		}
	}
}

// A configuration file that is not there is the newcomer's first error
// (`sportel check-config` before copying the example): it says how to get
// one, for every command that reads one.
func TestMissingConfigSaysHowToStartOne(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "sportel.yaml")
	for _, args := range [][]string{
		{"check-config", "--config", missing},
		{"run", "--config", missing},
		{"tickets", "list", "--config", missing},
	} {
		_, _, errOut := runCmd(t, "", nil, args...)
		if want := "no such file or directory; give the configuration with --config FILE, or start one from sportel.example.yaml"; !strings.Contains(errOut, want) {
			t.Errorf("sportel %s: stderr %q lacks %q", strings.Join(args, " "), errOut, want)
		}
	}
}
