package desk_test

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

// BenchmarkIntakeRealistic is the desk's part of taking realistic mail in:
// HandleBatch on chunks of 32 parsed messages (as the watcher hands them
// over), each a new inquiry from its own sender, into a file-backed store:
// classification, the filing transaction and its commit. One op is one
// mail. Low-noise beside the end-to-end benchmarks in app/, which share
// two cores with the outbox and the servers.
//
//	go test -run XXX -bench IntakeRealistic -benchtime 2000x ./desk/
func BenchmarkIntakeRealistic(b *testing.B) {
	const chunk = 32
	g := mailgen.New(rand.New(rand.NewPCG(7, 11)), "komunikimi@mkrs.example", time.Now().Add(-time.Hour))
	raws := g.Backlog(1000)
	f := newFixtureConfig(b, nil, nil)
	f.now = time.Now()
	msgs := make([]*inquiry.Message, 0, b.N)
	ids := rand.New(rand.NewPCG(13, 17))
	for i := range b.N {
		m := parse.Parse(raws[i%len(raws)], f.now, parse.Options{})
		// Every op a new mail: its own id and sender, in no order, as
		// real ones come (ordered keys would make every index insert
		// land on the same last page).
		m.MessageID = fmt.Sprintf("%016x.%d@example.net", ids.Uint64(), i)
		m.SourceID = "msgid:" + m.MessageID
		m.From.Address = fmt.Sprintf("c%08x.%d@example.net", ids.Uint32(), i)
		// In-Reply-To and References stay as generated: a quarter of real
		// mail quotes a message Sportel never saw, and looking those up
		// is part of the cost.
		msgs = append(msgs, m)
	}
	ctx := context.Background()
	b.ResetTimer()
	cpu, started := testutil.ProcessCPU(), testutil.GoroutinesCreated()
	for start := 0; start < len(msgs); start += chunk {
		batch := msgs[start:min(start+chunk, len(msgs))]
		disps, err := f.desk.HandleBatch(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		if len(disps) != len(batch) {
			b.Fatalf("%d dispositions for %d messages", len(disps), len(batch))
		}
		for k, d := range disps {
			if d != inquiry.Filed {
				b.Fatalf("message %d: %s, want each filed as a new ticket", start+k, d)
			}
		}
	}
	b.StopTimer()
	// CPU beside wall time: each chunk's commit waits for the disk.
	b.ReportMetric(float64((testutil.ProcessCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/mail")
	b.ReportMetric(float64(testutil.GoroutinesCreated()-started)/float64(b.N), "goroutines/mail")
}
