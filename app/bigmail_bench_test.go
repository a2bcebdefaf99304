package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"sportel/internal/testutil"
	"sportel/store/sqlite"
)

// bigMailBacklog is the hostile backlog: 30 mails of about 15 MB
// each (a short text and a base64 attachment), waiting in INBOX when the
// daemon starts. Anyone can put such a backlog in a public mailbox.
const (
	bigMailCount      = 30
	bigMailAttachment = 11 << 20 // base64 makes it about 15 MB on the wire
)

// bigMail is mail i of the hostile backlog: distinct senders, distinct
// incompressible attachments.
func bigMail(i int) []byte {
	content := make([]byte, bigMailAttachment)
	rng := rand.NewChaCha8([32]byte{byte(i), byte(i >> 8)})
	_, _ = rng.Read(content)
	b := benchBodies[i%len(benchBodies)]
	return inboundMail{
		from:       fmt.Sprintf("Qytetari %d <big%d@example.net>", i, i),
		subject:    b.subject,
		messageID:  fmt.Sprintf("bigmail-%d@example.net", i),
		body:       b.body,
		attachment: &wireAttachment{name: fmt.Sprintf("skanim-%d.pdf", i), contentType: "application/pdf", content: content},
	}.raw()
}

// BenchmarkPeakRSSBigMail builds the binary, puts the hostile backlog in
// INBOX, runs `sportel run` until every mail is acknowledged and its officer
// notified, and reports the daemon's VmHWM and the database size against
// the raw mail it was given.
func BenchmarkPeakRSSBigMail(b *testing.B) {
	if testing.Short() {
		b.Skip("a 450 MB backlog: not under -short")
	}
	bin := buildSportel(b)
	var peaks, ratios []float64
	for range b.N {
		s := newMemStack(b)
		var rawBytes int64
		for i := range bigMailCount {
			raw := bigMail(i)
			rawBytes += int64(len(raw))
			s.append(raw)
		}
		d := startDaemon(b, bin, s)
		cmd, stderr := d.cmd, d.logs
		// Each mail causes an acknowledgement and the officer's notification.
		wctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		err := s.smtp.WaitCount(wctx, 2*bigMailCount)
		cancel()
		if err != nil {
			b.Fatalf("wait for sends: %v\n%s", err, stderr.String())
		}
		hwm, err := vmHWM(cmd.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		d.stop(b)
		if got := s.count(processedBox); got != bigMailCount {
			b.Errorf("%s holds %d, want %d", processedBox, got, bigMailCount)
		}
		size, err := storeBytes(s.cfg.Store.DSN)
		if err != nil {
			b.Fatal(err)
		}
		peaks = append(peaks, float64(hwm)/1024)
		ratios = append(ratios, float64(size)/float64(rawBytes))
	}
	b.ReportMetric(slices.Max(peaks), "peak_RSS_MB")
	b.ReportMetric(slices.Max(ratios), "db/raw")
	b.ReportMetric(0, "ns/op")
}

// storeBytes is the size on disk of a SQLite store after a checkpoint: the
// database file with everything the WAL held.
func storeBytes(path string) (int64, error) {
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		return 0, err
	}
	// Closing checkpoints the WAL into the database file.
	if err := st.Close(); err != nil {
		return 0, err
	}
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return 0, err
		}
		total += fi.Size()
	}
	return total, nil
}

// BenchmarkStoreSizeMix takes in a mix of ordinary mail (seven in ten plain
// text, two with a 300 KB file, one with a 3 MB file), acknowledges it and
// notifies the officers, and reports the database size against the raw mail.
func BenchmarkStoreSizeMix(b *testing.B) {
	const mails = 200
	var ratios []float64
	for run := range b.N {
		s := newMemStack(b)
		var rawBytes int64
		for i := range mails {
			var raw []byte
			switch size := map[int]int{7: 300 << 10, 8: 300 << 10, 9: 3 << 20}[i%10]; {
			case size == 0:
				raw = benchMail(fmt.Sprintf("mix%d", run), i)
			default:
				content := make([]byte, size)
				_, _ = rand.NewChaCha8([32]byte{byte(i), byte(run)}).Read(content)
				bb := benchBodies[i%len(benchBodies)]
				raw = inboundMail{
					from: fmt.Sprintf("Qytetari %d <mix%d@example.net>", i, i), subject: bb.subject, body: bb.body,
					messageID:  fmt.Sprintf("mix-%d-%d@example.net", run, i),
					attachment: &wireAttachment{name: fmt.Sprintf("dokument-%d.pdf", i), contentType: "application/pdf", content: content},
				}.raw()
			}
			rawBytes += int64(len(raw))
			s.append(raw)
		}
		a := s.open()
		stop := testutil.RunBackground(b, "serve", stopLimit, a.Run)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		err := s.smtp.WaitCount(ctx, 2*mails)
		cancel()
		stop()
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Close(); err != nil {
			b.Fatal(err)
		}
		size, err := storeBytes(s.cfg.Store.DSN)
		if err != nil {
			b.Fatal(err)
		}
		ratios = append(ratios, float64(size)/float64(rawBytes))
	}
	b.ReportMetric(slices.Max(ratios), "db/raw")
	b.ReportMetric(0, "ns/op")
}
