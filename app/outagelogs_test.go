package app

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// logLine matches a warn or error line of the text handler: its level,
// its message and, when it has one, its component.
var (
	logLevelMsg   = regexp.MustCompile(`level=(WARN|ERROR) msg=("(?:[^"\\]|\\.)*"|\S+)`)
	logComponent  = regexp.MustCompile(` component=(\S+)`)
	logTimeOfLine = regexp.MustCompile(`^time=(\S+)`)
)

// loudLines counts the warn and error lines of logs by component and
// message, for those logged at or after from.
func loudLines(logs string, from time.Time) map[string]int {
	counts := map[string]int{}
	for line := range strings.SplitSeq(logs, "\n") {
		m := logLevelMsg.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if t := logTimeOfLine.FindStringSubmatch(line); t != nil {
			if at, err := time.Parse(time.RFC3339Nano, t[1]); err == nil && at.Before(from) {
				continue
			}
		}
		component := "-"
		if c := logComponent.FindStringSubmatch(line); c != nil {
			component = c[1]
		}
		counts[fmt.Sprintf("%s %s %s", m[1], component, m[2])]++
	}
	return counts
}

// PostgreSQL stopped for a minute under a daemon draining a backlog, its
// metrics scraped and /readyz probed meanwhile as Prometheus and a load
// balancer would: every fault is logged when it begins (and, at info, when
// it ends), not at every poll, try, message or scrape; what is logged names
// the store, not the mailbox; and no send is counted as failed for it.
func TestStoreOutageLoggedOnce(t *testing.T) {
	const outage = 60 * time.Second
	r := newFaultRig(t, faultBacklog)
	in := r.start()
	testutil.Eventually(t, "the instance leading", 20*time.Second, func() (bool, error) {
		return r.leading(in), nil
	})
	wctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	err := waitMoved(wctx, r.s, 0, faultBacklog/4)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	r.srv.Stop()
	r.sawStoreDown(in)
	scrapes := 0
	var readyz []string
	for time.Since(began) < outage {
		// Prometheus scrapes every 15 s by default; more often here, so
		// a line a scrape would show.
		_, _, _ = httpGet("http://" + in.metrics + "/metrics")
		if _, body := in.readyz(); !slices.Contains(readyz, body) {
			readyz = append(readyz, body)
		}
		scrapes++
		time.Sleep(2 * time.Second)
	}
	in.running(t)
	r.srv.Start()
	r.drained(faultBacklog, 90*time.Second, in)
	testutil.Eventually(t, "the instance ready again", 30*time.Second, func() (bool, error) {
		status, body := in.readyz()
		return status == http.StatusOK && strings.HasPrefix(body, "ok\n"), nil
	})
	logs := in.logs.String()
	counts := loudLines(logs, began)
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var report strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&report, "%4d %s\n", counts[k], k)
	}
	t.Logf("%d scrapes in a %s outage; warn and error lines from its start:\n%s/readyz said:\n%s",
		scrapes, outage, report.String(), strings.Join(readyz, "---\n"))
	for _, k := range keys {
		if counts[k] > 2 {
			t.Errorf("%q logged %d times in one outage, want it said when the fault begins", k, counts[k])
		}
		if strings.Contains(k, "imap mailbox cannot be read") {
			t.Errorf("the store's outage logged as the mailbox's: %q (%d times)", k, counts[k])
		}
	}
	if strings.Contains(logs, "send failed") {
		t.Errorf("a send was counted as failed for the store's outage")
	}
	if m := in.metric(`sportel_imap_errors_total`); m != "sportel_imap_errors_total 0" {
		t.Errorf("after a store outage alone: %q, want no IMAP error counted", m)
	}
	// Each component that said the outage began says it ended.
	logs = in.logs.String()
	for _, c := range []struct{ began, ended string }{
		{"component=inbox", "intake goes on again"},
		{"component=outbox", "store answers again"},
		{"component=metrics", "metric read from the store again"},
	} {
		if counts := loudLines(logs, began); !hasComponent(counts, c.began) {
			continue
		}
		if !strings.Contains(logs, c.ended) {
			t.Errorf("%s said the store failed and never %q", c.began, c.ended)
		}
	}
	in.stop()
}

// hasComponent reports whether counts (loudLines) has a line of component,
// given as "component=NAME".
func hasComponent(counts map[string]int, component string) bool {
	name := strings.TrimPrefix(component, "component=")
	for k := range counts {
		if strings.Contains(k, " "+name+" ") {
			return true
		}
	}
	return false
}
