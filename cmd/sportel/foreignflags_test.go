package main

import (
	"strings"
	"testing"
)

// A flag of a sibling subcommand is refused, not ignored: asked for March,
// the annual report printed the whole year and exited 0.
func TestForeignFlagsRefused(t *testing.T) {
	path, vars := seedReport(t)
	tests := []struct {
		name string
		args []string
		want string // on stderr
	}{
		{"access-documents with a period", []string{"report", "access-documents", "--year", "2025", "--from", "2025-03-01", "--to", "2025-03-31", "--format", "json", "--config", path}, "--from is not a flag of this report"},
		{"inbox with a year", []string{"report", "inbox", "--from", "2025-01-01", "--year", "2024", "--format", "json", "--config", path}, "--year is not a flag of this report"},
		{"due with a year", []string{"calendar", "due", "--received", "2026-12-24T16:00", "--year", "1999"}, "--year is not a flag of this subcommand"},
		{"urgent with a count", []string{"calendar", "due", "--received", "2026-12-24T16:00", "--urgent", "--count", "working"}, "--count does not apply to an urgent request"},
		{"holidays with a received time", []string{"calendar", "holidays", "--year", "2027", "--received", "2026-12-24T16:00"}, "--received is not a flag of this subcommand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, "", vars, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
			}
		})
	}
	// Each subcommand's own flags still work.
	for _, args := range [][]string{
		{"report", "access-documents", "--year", "2025", "--format", "json", "--config", path},
		{"report", "inbox", "--from", "2025-01-01", "--to", "2025-03-31", "--format", "csv", "--config", path},
		{"calendar", "due", "--received", "2026-12-24T16:00", "--count", "working", "--extend", "5"},
		{"calendar", "holidays", "--year", "2027"},
	} {
		if code, _, errOut := runCmd(t, "", vars, args...); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
		}
	}
}
