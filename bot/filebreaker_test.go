package bot

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// The breaker's cool-downs on a clock the test moves: one failure opens it
// for a minute; each failed probe doubles the pause up to 15 minutes; a
// probe the server answers (with the file, or a 4xx about it) closes it
// and the next opening starts at a minute again.
func TestFileBreaker(t *testing.T) {
	type step struct {
		after   time.Duration // the clock moves this much first
		do      string        // "allow", "fail", "answer", "abandon"
		allowed bool          // for allow
		probe   bool          // for allow; fail, answer and abandon report on the last download allowed
	}
	allow := func(after time.Duration, allowed, probe bool) step {
		return step{after: after, do: "allow", allowed: allowed, probe: probe}
	}
	do := func(what string) step { return step{do: what} }
	// probeFails is a cool-down of d ending in a probe that fails.
	probeFails := func(d time.Duration) []step {
		return []step{allow(d-time.Second, false, false), allow(time.Second, true, true), allow(0, false, false), do("fail")}
	}
	open := []step{allow(0, true, false), do("fail")}
	tests := []struct {
		name      string
		steps     []step
		wantOpen  bool
		paused    int // "downloads paused" logged
		resumed   int // "downloads resumed" logged
		stillDown int // "still not answering" logged
		capped    int // of those, with the 15-minute pause
	}{
		{"closed: every download is tried", []step{allow(0, true, false), do("answer"), allow(time.Hour, true, false)}, false, 0, 0, 0, 0},
		{"one failure opens it for a minute", append(open, allow(59*time.Second, false, false), allow(0, false, false)), true, 1, 0, 0, 0},
		{"after the cool-down one probe goes, the rest wait", append(open, allow(time.Minute, true, true), allow(0, false, false), allow(time.Hour, false, false)), true, 1, 0, 0, 0},
		{"a probe answered closes it", append(open, allow(time.Minute, true, true), do("answer"), allow(0, true, false), allow(0, true, false)), false, 1, 1, 0, 0},
		{"failed probes double the pause up to 15 minutes", concat(open,
			probeFails(time.Minute), probeFails(2*time.Minute), probeFails(4*time.Minute), probeFails(8*time.Minute),
			probeFails(15*time.Minute), probeFails(15*time.Minute),
			[]step{allow(15*time.Minute, true, true), do("answer")},
			// Answered, the next opening starts at a minute again.
			open, []step{allow(time.Minute, true, true)}), true, 2, 1, 6, 3},
		{"a probe cut off by a shutdown is given back", append(open, allow(time.Minute, true, true), do("abandon"), allow(0, true, true), do("answer")), false, 1, 1, 0, 0},
		{"a download out when it opened changes nothing", concat(open, []step{{do: "answer"}, allow(0, false, false), {do: "fail"}, allow(59*time.Second, false, false), allow(time.Second, true, true)}), true, 1, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := testutil.NewLogBuffer(t)
			start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			now := start
			b := newFileBreaker(0, 0, func() time.Time { return now }, logs.Logger(slog.LevelDebug))
			probe := false
			for i, s := range tt.steps {
				now = now.Add(s.after)
				switch s.do {
				case "allow":
					ok, p := b.allow()
					if ok != s.allowed || p != s.probe {
						t.Fatalf("step %d, %v after the start: allow = %v, probe %v; want %v, probe %v",
							i, now.Sub(start), ok, p, s.allowed, s.probe)
					}
					if ok {
						probe = p // what the download's outcome reports on
					}
				case "fail":
					b.failed(probe, "download: timed out after 30s")
				case "answer":
					b.answered(probe)
				case "abandon":
					b.abandon(probe)
				}
			}
			if b.isOpen() != tt.wantOpen {
				t.Errorf("open = %v, want %v", b.isOpen(), tt.wantOpen)
			}
			out := logs.String()
			for what, want := range map[string]int{
				"telegram file downloads paused":                        tt.paused,
				"telegram file downloads resumed":                       tt.resumed,
				"telegram file server still not answering":              tt.stillDown,
				`level=WARN msg="telegram file downloads paused`:        tt.paused,
				`level=INFO msg="telegram file downloads resumed`:       tt.resumed,
				`next_probe_in=15m0s`:                                   tt.capped,
				`reason="download: timed out after 30s" next_probe_in=`: tt.paused + tt.stillDown,
			} {
				if n := strings.Count(out, what); n != want {
					t.Errorf("the log says %q %d times, want %d:\n%s", what, n, want, out)
				}
			}
		})
	}
}

func concat[T any](parts ...[]T) []T {
	var out []T
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// An update's downloads are held for its retries and let go when another
// update comes or it is confirmed.
func TestUpdateFilesHoldOneUpdate(t *testing.T) {
	kept := fetchResult{content: []byte("scan")}
	tests := []struct {
		name string
		then func(h *updateFiles)
		want bool // the file is still held
	}{
		{"the same update again (a retry)", func(h *updateFiles) { h.begin(7) }, true},
		{"the next update", func(h *updateFiles) { h.begin(8) }, false},
		{"confirmed", func(h *updateFiles) { h.drop() }, false},
		{"confirmed, then the same id again", func(h *updateFiles) { h.drop(); h.begin(7) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newUpdateFiles(context.Background())
			h.begin(7)
			h.put("doc-1", kept)
			if _, ok := h.get("doc-1"); !ok {
				t.Fatal("not held right after put")
			}
			tt.then(h)
			r, ok := h.get("doc-1")
			if ok != tt.want || ok && string(r.content) != "scan" {
				t.Errorf("held %v (%q), want %v", ok, r.content, tt.want)
			}
		})
	}
	var none *updateFiles // outside Run
	none.put("doc-1", kept)
	if _, ok := none.get("doc-1"); ok || none.shutdown().Err() != nil {
		t.Error("no holder holds something, or its shutdown has ended")
	}
}
