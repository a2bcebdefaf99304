package outage

import (
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"sportel/internal/testutil"
)

var levelMsg = regexp.MustCompile(`level=(\S+) msg=("(?:[^"\\]|\\.)*"|\S+)`)

// An hour's outage retried every two minutes, as the IMAP watcher retries
// at its cap: what is logged above debug, line by line.
func TestOutageLines(t *testing.T) {
	const down = "imap mailbox cannot be read"
	type step struct {
		at    time.Duration // since the start
		ended bool          // the server answers again
		msg   string        // for a failure: what it says (down when empty)
	}
	var hour []step
	for at := time.Duration(0); at < time.Hour; at += 2 * time.Minute {
		hour = append(hour, step{at: at})
	}
	tests := []struct {
		name  string
		steps []step
		want  []string // level and message of each line above debug
	}{
		{"an hour down, then up", append(hour, step{at: time.Hour, ended: true}), []string{
			"ERROR " + down, "WARN " + down, "WARN " + down, "INFO up",
		}},
		{"one failure", []step{{at: 0}, {at: time.Second, ended: true}}, []string{"ERROR " + down, "INFO up"}},
		{"up with no outage", []step{{at: 0, ended: true}}, nil},
		{"another kind of failure is said at once", []step{{at: 0}, {at: time.Minute}, {at: 2 * time.Minute, msg: "login refused"},
			{at: 3 * time.Minute, msg: "login refused"}, {at: 4 * time.Minute, ended: true}}, []string{
			"ERROR " + down, "WARN \"login refused\"", "INFO up",
		}},
		{"two outages", []step{{at: 0}, {at: time.Minute, ended: true}, {at: 2 * time.Minute}, {at: 3 * time.Minute, ended: true}}, []string{
			"ERROR " + down, "INFO up", "ERROR " + down, "INFO up",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := testutil.NewLogBuffer(t)
			start := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
			now := start
			l := New(logs.Logger(slog.LevelInfo), 0, func() time.Time { return now })
			for _, s := range tt.steps {
				now = start.Add(s.at)
				switch {
				case s.ended:
					l.Ended("up")
				case s.msg != "":
					l.Failed(s.msg, "err", errors.New("refused"))
				default:
					l.Failed(down, "err", errors.New("connection refused"))
				}
			}
			var got []string
			for _, m := range levelMsg.FindAllStringSubmatch(logs.String(), -1) {
				got = append(got, m[1]+" "+strings.Trim(m[2], `"`))
			}
			for i := range tt.want {
				tt.want[i] = strings.ReplaceAll(tt.want[i], `"`, "")
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			// Every line of an outage after its first says how long it has
			// lasted, and carries the cause.
			for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
				if strings.Contains(line, "level=WARN") && (!strings.Contains(line, "down_for=") || !strings.Contains(line, "err=")) {
					t.Errorf("a repeat without its duration or cause: %s", line)
				}
				if strings.Contains(line, "level=INFO") && !strings.Contains(line, "down_for=") {
					t.Errorf("an end without its duration: %s", line)
				}
			}
		})
	}
}
