package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/mailgen"
	"sportel/internal/testutil"
)

// BenchmarkOutboxRealistic is the outbox's part of a realistic backlog,
// alone: the desk files 1,000 realistic mails first (untimed), then the
// outbox claims, renders and sends their 2,000 mails (acknowledgements and
// officers' notifications, a stored file read back for 1 in 20) through
// the real mailer to the in-process SMTP server, and records them. It
// reports CPU time per mail taken in (two sends), beside the end-to-end
// benchmarks that share the cores with intake.
//
//	go test -run XXX -bench OutboxRealistic -benchtime 3x ./app/
func BenchmarkOutboxRealistic(b *testing.B) {
	var cpu cpuUse
	var total time.Duration
	for i := range b.N {
		b.StopTimer()
		s := newMemStack(b)
		a := s.open()
		g := mailgen.New(rand.New(rand.NewPCG(uint64(i), 0x0b)), publicAddress, time.Now().Add(-time.Hour))
		raws := g.Backlog(realisticBacklog)
		ctx := context.Background()
		for start := 0; start < len(raws); start += 32 {
			var ms []*inquiry.Message
			for k, raw := range raws[start:min(start+32, len(raws))] {
				m := parse.Parse(raw, time.Now(), a.parseOptions())
				m.Channel = inquiry.ChannelEmail
				if m.SourceID == "" {
					m.SourceID = fmt.Sprintf("bench:%d:%d", i, start+k)
				}
				ms = append(ms, m)
			}
			if _, err := a.HandleBatch(ctx, ms); err != nil {
				b.Fatal(err)
			}
		}
		pending, err := a.store.QueueStats(ctx, time.Now().Add(time.Minute))
		if err != nil {
			b.Fatal(err)
		}
		m, err := a.newMailer()
		if err != nil {
			b.Fatal(err)
		}
		o := a.newOutbox(m, nil)
		before := len(s.smtp.MailsSince(0))
		b.StartTimer()

		meter := startCPU()
		start := time.Now()
		stop := testutil.RunBackground(b, "outbox", stopLimit, o.Run)
		wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		err = s.smtp.WaitCount(wctx, before+pending.PendingJobs)
		total += time.Since(start)
		cpu.add(meter)

		b.StopTimer()
		cancel()
		stop()
		m.Close()
		if err != nil {
			b.Fatalf("%d jobs pending: %v", pending.PendingJobs, err)
		}
		if pending.PendingJobs < realisticBacklog {
			b.Fatalf("%d jobs for %d mails", pending.PendingJobs, realisticBacklog)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(realisticBacklog*b.N)/total.Seconds(), "msgs/s")
	cpu.report(b, realisticBacklog*b.N)
	b.ReportMetric(0, "ns/op")
}
