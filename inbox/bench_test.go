package inbox

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// BenchmarkWatcherBacklog drains 1,000 messages that wait in INBOX before
// Run starts, with a trivial desk; it reports messages per second.
func BenchmarkWatcherBacklog(b *testing.B) {
	const n = 1000
	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = rawMail(fmt.Sprintf("b%04d@example.org", i), fmt.Sprintf("backlog %04d", i), "Përshëndetje, kërkoj një dokument.")
	}
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		ts := startIMAP(b, serverConfig{caps: capsRev2})
		for _, r := range raws {
			ts.appendTo("INBOX", r, time.Time{})
		}
		desk := newTestDesk()
		b.StartTimer()
		start := time.Now()
		_, stop := runWatcher(b, baseOptions(ts), desk, newMemCheckpoints())
		desk.waitHandled(b, n, time.Minute)
		total += time.Since(start)
		b.StopTimer()
		stop()
		ts.stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "msgs/s")
}

// BenchmarkIdleLatency appends one message to an idle watcher's mailbox and
// waits until the desk has it; it reports the p50 and p99 of APPEND→handled.
func BenchmarkIdleLatency(b *testing.B) {
	ts := startIMAP(b, serverConfig{caps: capsRev2})
	desk := newTestDesk()
	opts := baseOptions(ts)
	opts.PollInterval = time.Hour
	w, _ := runWatcher(b, opts, desk, newMemCheckpoints())
	testutil.Eventually(b, "a first read of the mailbox", 5*time.Second, func() (bool, error) {
		return !w.Stats().LastGoodFetch.IsZero(), nil
	})

	var latencies []time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		time.Sleep(5 * time.Millisecond) // the daemon is idle when mail arrives
		raw := rawMail(fmt.Sprintf("l%d@example.org", i), fmt.Sprintf("latency %d", i), "x")
		i++
		b.StartTimer()
		start := time.Now()
		ts.appendTo("INBOX", raw, time.Time{})
		select {
		case <-desk.notify:
		case <-time.After(10 * time.Second):
			b.Fatalf("message %d not taken in within 10s", i)
		}
		latencies = append(latencies, time.Since(start))
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}
