package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"sportel/store/drivers"
)

// A report's own arguments are checked before any store is opened, so a
// wrong one exits 2 saying what is wrong, whether or not the store is
// there; and --year 0 is no year, not "this year" (the default applies only
// when --year is not given).
func TestReportBadArgumentsExit2(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "sportel.db")
	st, err := drivers.Open(context.Background(), drivers.Options{Driver: "sqlite", DSN: empty})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	missing := filepath.Join(dir, "missing.db")
	cases := []struct {
		name string
		args []string
		code int
		want string
		// the store's time zone says which day is today: checked only
		// once the store is open
		needsStore bool
	}{
		{"year 0", []string{"access-documents", "--year", "0"}, 2, "--year 0 is not a year", false},
		{"year -5", []string{"access-documents", "--year", "-5"}, 2, "--year -5 is not a year", false},
		{"year 10000", []string{"access-documents", "--year", "10000"}, 2, "--year 10000 is not a year", false},
		{"from not a day", []string{"inbox", "--from", "2026-1-1"}, 2, `--from "2026-1-1" is not a day`, false},
		{"to not a day", []string{"inbox", "--from", "2026-01-01", "--to", "31.03.2026"}, 2, `--to "31.03.2026" is not a day`, false},
		{"no from", []string{"inbox"}, 2, "--from is required", false},
		{"to before from", []string{"inbox", "--from", "2026-03-01", "--to", "2026-02-01"}, 2, "--to is before --from", false},
		{"from after today, no to", []string{"inbox", "--from", "2999-01-01"}, 2, "--from 2999-01-01 is after today", true},
		{"from after today, to later", []string{"inbox", "--from", "2999-01-01", "--to", "2999-12-31"}, 2, "--from 2999-01-01 is after today", true},
		{"a year to come", []string{"access-documents", "--year", "2999"}, 2, "--year 2999 is after this year", true},
		{"a year in two digits", []string{"access-documents", "--year", "26"}, 2, "--year 26: write the year in full, like 20", false},
		// The report is named first: a flag before it is no report.
		{"flag before the report", []string{"--year", "2026", "access-documents"}, 2, `unknown report "--year"`, false},
		// Good arguments reach the store: a missing one is exit 1.
		{"good year", []string{"access-documents", "--year", "2026"}, 1, "no database", false},
		{"good period", []string{"inbox", "--from", "2026-03-01", "--to", "2026-03-31"}, 1, "no database", false},
	}
	for _, c := range cases {
		for _, db := range []string{empty, missing} {
			if c.code == 1 && db == empty || c.needsStore && db == missing {
				continue
			}
			t.Run(c.name+"/"+filepath.Base(db), func(t *testing.T) {
				code, out, errOut := runCmd(t, "", nil, append(append([]string{"report"}, c.args...), "--db", db)...)
				if code != c.code || !strings.Contains(errOut, c.want) || (c.code != 0 && out != "") {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit %d saying %q", code, out, errOut, c.code, c.want)
				}
			})
		}
	}
}
