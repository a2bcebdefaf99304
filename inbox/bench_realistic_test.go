package inbox

import (
	"math/rand/v2"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/mailgen"
)

// BenchmarkWatcherRealisticBacklog drains 1,000 generated realistic mails
// (internal/mailgen) through the watcher with the real MIME parser and a
// trivial desk: the fetch and parse stage of the pipeline alone. It reports
// messages and megabytes per second.
//
//	go test -run XXX -bench WatcherRealistic -count 3 ./inbox/
func BenchmarkWatcherRealisticBacklog(b *testing.B) {
	const n = 1000
	g := mailgen.New(rand.New(rand.NewPCG(1, 2)), "dkp@mkrs.example", time.Now())
	raws := g.Backlog(n)
	var size int
	for _, r := range raws {
		size += len(r)
	}
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		ts := startIMAP(b, serverConfig{caps: capsRev2})
		for _, r := range raws {
			ts.appendTo("INBOX", r, time.Time{})
		}
		desk := newTestDesk()
		opts := baseOptions(ts)
		opts.Parse = func(raw []byte, received time.Time) *inquiry.Message {
			return parse.Parse(raw, received, parse.Options{})
		}
		b.StartTimer()
		start := time.Now()
		_, stop := runWatcher(b, opts, desk, newMemCheckpoints())
		desk.waitHandled(b, n, time.Minute)
		total += time.Since(start)
		b.StopTimer()
		stop()
		ts.stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "msgs/s")
	b.ReportMetric(float64(size*b.N)/total.Seconds()/1e6, "MB/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkParseRealistic parses generated realistic mail, one after
// another; it reports the mean cost per mail of the mix.
func BenchmarkParseRealistic(b *testing.B) {
	g := mailgen.New(rand.New(rand.NewPCG(1, 2)), "dkp@mkrs.example", time.Now())
	raws := g.Backlog(1000)
	var size int64
	for _, r := range raws {
		size += int64(len(r))
	}
	b.SetBytes(size / int64(len(raws)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if m := parse.Parse(raws[i%len(raws)], time.Now(), parse.Options{}); m.Text == "" {
			b.Fatalf("mail %d: no text", i)
		}
		i++
	}
}
