package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// BenchmarkRestartAfterKill runs the built binary on a backlog whose sends
// are slow enough to be in flight, kills it with SIGKILL in the middle of
// sending three times, and measures what the issue asks of a crash: the time
// from the restart to the first send (the jobs the killed process had
// claimed are free at once, not after their lease) and how many mails went
// out twice per kill (at most what was in flight: the number of workers).
//
// Two moments to kill at: right after the relay stored a mail (the worst:
// the workers' sends finish nearly together, so the kill finds their
// completions unrecorded), and at a random moment within the next send's
// time (what a crash in the field meets).
func BenchmarkRestartAfterKill(b *testing.B) {
	const perRecipient = 15 * time.Millisecond
	bin := buildSportel(b)
	moments := []struct {
		name  string
		delay func() time.Duration
	}{
		{"right_after_a_store", func() time.Duration { return 0 }},
		{"at_a_random_moment", func() time.Duration { return rand.N(perRecipient + 5*time.Millisecond) }},
	}
	for _, m := range moments {
		b.Run(m.name, func(b *testing.B) { restartAfterKill(b, bin, perRecipient, m.delay) })
	}
}

// restartAfterKill is BenchmarkRestartAfterKill killing delay() after the
// relay stored a mail.
func restartAfterKill(b *testing.B, bin string, perRecipient time.Duration, delay func() time.Duration) {
	const backlog, kills = 60, 3
	var firstSend []time.Duration
	var resends []float64
	for i := range b.N {
		s := newMemStack(b)
		s.smtp.SetReject(func(string) error { time.Sleep(perRecipient); return nil })
		imapSrv := s.box.(memServer)
		cfgPath := filepath.Join(b.TempDir(), "sportel.yaml")
		// A long lease: only freeing the dead run's claims at start can
		// explain a fast first send.
		cfgText := strings.Replace(fmt.Sprintf(testConfig, imapSrv.Addr, imapSrv.Username, s.smtp.Addr, s.cfg.Store.DSN),
			"lease: 3s", "lease: 2m", 1)
		if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
			b.Fatal(err)
		}
		start := func() (*exec.Cmd, *testutil.LogBuffer) {
			var logs testutil.LogBuffer
			cmd := exec.Command(bin, "run", "--config", cfgPath)
			cmd.Env = append(os.Environ(), imapPasswordEnv+"="+imapSrv.Password)
			cmd.Stdout, cmd.Stderr = &logs, &logs
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			return cmd, &logs
		}
		for k := range backlog {
			s.append(benchMail(fmt.Sprintf("kill%d", i), k))
		}
		cmd, logs := start()
		want := 2 * backlog // an acknowledgement and a notification each
		for kill := range kills {
			// Kill while sending: some mails out, more claimed and in flight.
			threshold := s.smtp.Count() + 10 + kill
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if err := s.smtp.WaitCount(ctx, threshold); err != nil {
				cancel()
				b.Fatalf("before kill %d: %v\n%s", kill+1, err, logs.String())
			}
			cancel()
			time.Sleep(delay())
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				b.Fatal(err)
			}
			_ = cmd.Wait()
			// A mail the killed process had written whole may still be
			// taken in after its death; the restarted one's first send
			// comes after the server has fallen quiet.
			sentBefore := quietCount(s)
			restart := time.Now()
			cmd, logs = start()
			ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
			if err := s.smtp.WaitCount(ctx, sentBefore+1); err != nil {
				cancel()
				b.Fatalf("after restart %d: %v\n%s", kill+1, err, logs.String())
			}
			cancel()
			firstSend = append(firstSend, time.Since(restart))
		}
		testutil.Eventually(b, "every mail sent", 2*time.Minute, func() (bool, error) {
			return len(distinctMessageIDs(b, s)) >= want, nil
		})
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		ids := distinctMessageIDs(b, s)
		if len(ids) != want {
			b.Errorf("%d distinct Message-IDs, want %d", len(ids), want)
		}
		dups := 0
		for _, n := range ids {
			dups += n - 1
		}
		resends = append(resends, float64(dups)/kills)
	}
	slices.Sort(firstSend)
	b.ReportMetric(float64(firstSend[len(firstSend)-1].Milliseconds()), "max_restart_to_send_ms")
	b.ReportMetric(float64(firstSend[len(firstSend)/2].Milliseconds()), "p50_restart_to_send_ms")
	b.ReportMetric(slices.Max(resends), "resends_per_kill")
	mean := 0.0
	for _, r := range resends {
		mean += r / float64(len(resends))
	}
	b.ReportMetric(mean, "mean_resends_per_kill")
	b.ReportMetric(0, "ns/op")
}

// quietCount waits until the SMTP server has taken nothing in for 100 ms
// (at most 2 s) and returns how many mails it holds.
func quietCount(s *stack) int {
	n, since := s.smtp.Count(), time.Now()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if now := s.smtp.Count(); now != n {
			n, since = now, time.Now()
		} else if time.Since(since) >= 100*time.Millisecond {
			break
		}
	}
	return n
}

// distinctMessageIDs counts each Message-ID the SMTP server received.
func distinctMessageIDs(tb testing.TB, s *stack) map[string]int {
	ids := map[string]int{}
	for _, m := range s.smtp.Mails() {
		ids[parseWire(tb, m).messageID]++
	}
	return ids
}
