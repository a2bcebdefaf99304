package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/sqlite"
)

// Benchmarks for the targets (built-in classifier):
//   backlog: >= 1,000 messages/s on the memory server and on Dovecot;
//   idle latency APPEND -> ack: p50 < 50 ms, p99 < 250 ms;
//   peak RSS of `sportel run` on a store of 10,000 tickets: < 60 MB.
// Run: go test -run XXX -bench . -benchtime 1x ./cmd/sportel/

// benchBodies rotate the four languages and three categories, so the
// classifier does its real work.
var benchBodies = []struct{ subject, body string }{
	{"Kërkesë për qasje në dokumente", "Të nderuar, në bazë të Ligjit për qasje në dokumente publike kërkoj kopjen e kontratës për renovimin e stadiumit në Prizren. Me respekt"},
	{"deklarate per teatrin", "pershendetje, jam gazetare ne portalin Kultura Sot. a mundet zedhenesi i ministrise me na dhene nje deklarate per teatrin?"},
	{"Zahtev za pristup dokumentima", "Poštovani, u skladu sa Zakonom o pristupu javnim dokumentima molim vas da mi dostavite spisak korisnika grantova za kulturu."},
	{"Захтев за интервју", "Поштовани, новинар сам радија КиМ. Молимо вас за кратак интервју са министром о обнови домова културе."},
	{"Scholarships for young athletes", "Hello, I am a student from Prizren and I train athletics. Are there scholarships for young athletes this year, and how do I apply?"},
	{"Subvencione per klubet", "Përshëndetje, kur hapet thirrja për subvencione për klubet sportive këtë vit dhe cilat janë kushtet?"},
}

// benchMail is message i of a run, from its own sender: a sender of its
// own in each run too, since the same words from the same sender within a
// day are a client's resend, which joins the first copy's ticket.
func benchMail(run string, i int) []byte {
	b := benchBodies[i%len(benchBodies)]
	return inboundMail{
		from:      fmt.Sprintf("Qytetari %d <citizen%d.%s@example.net>", i, i, run),
		subject:   b.subject,
		messageID: fmt.Sprintf("bench-%s-%d@example.net", run, i),
		body:      b.body,
	}.raw()
}

// ackCounter counts acknowledgements the SMTP server has received, reading
// each captured mail once.
type ackCounter struct {
	smtp *devserver.SMTP
	seen int
	acks int
}

func (c *ackCounter) update() int {
	fresh := c.smtp.MailsSince(c.seen)
	for _, m := range fresh {
		if bytes.Contains(m.Data, []byte("<sportel.ack.")) && ackMessageID(m.Data) {
			c.acks++
		}
	}
	c.seen += len(fresh)
	return c.acks
}

// ackMessageID reports whether the mail's own Message-Id is an ack's (an
// ack's id can also appear in References of other mail).
func ackMessageID(data []byte) bool {
	head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	for line := range bytes.SplitSeq(head, []byte("\r\n")) {
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && strings.EqualFold(string(k), "Message-Id") {
			return bytes.HasPrefix(bytes.TrimSpace(v), []byte("<sportel.ack."))
		}
	}
	return false
}

// waitAcks waits until n acknowledgements have been captured.
func (c *ackCounter) waitAcks(ctx context.Context, n int) error {
	for c.update() < n {
		if err := c.smtp.WaitCount(ctx, c.seen+1); err != nil {
			return fmt.Errorf("wait for ack %d: %w (have %d)", n, err, c.acks)
		}
	}
	return nil
}

func benchBacklog(b *testing.B, newStack func(testing.TB) *stack) {
	const backlog = 1000
	var total time.Duration
	for i := range b.N {
		b.StopTimer()
		s := newStack(b)
		run := strconv.Itoa(i)
		for k := range backlog {
			s.append(benchMail(run, k))
		}
		processedBefore := s.countOrZero(processedBox)
		acks := &ackCounter{smtp: s.smtp}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		b.StartTimer()

		start := time.Now()
		a := s.open() // the daemon starting: store, classifier, desk
		stop := testutil.RunBackground(b, "serve", stopLimit, a.Run)
		err := acks.waitAcks(ctx, backlog)
		elapsed := time.Since(start)

		b.StopTimer()
		if err == nil {
			// The last batch is moved while its acknowledgements go out.
			err = waitMoved(ctx, s, processedBefore, backlog)
		}
		cancel()
		stop()
		if err != nil {
			b.Fatal(err)
		}
		total += elapsed
		b.StartTimer()
	}
	b.ReportMetric(float64(backlog*b.N)/total.Seconds(), "msgs/s")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkBacklogMemory(b *testing.B) { benchBacklog(b, newMemStack) }

func BenchmarkBacklogDovecot(b *testing.B) { benchBacklog(b, newDovecotStack) }

// BenchmarkIdleLatency appends one message after each acknowledgement and
// measures APPEND → ack on the wire.
func BenchmarkIdleLatency(b *testing.B) {
	const samples = 300
	s := newMemStack(b)
	a, stop := s.serve()
	defer stop()
	acks := &ackCounter{smtp: s.smtp}
	// Let the watcher settle into IDLE before the first sample.
	testutil.Eventually(b, "the watcher to create its mailboxes", 10*time.Second, func() (bool, error) {
		_, err := s.box.Count(processedBox)
		return err == nil, nil
	})
	time.Sleep(300 * time.Millisecond)
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		for k := range samples {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			start := time.Now()
			s.append(benchMail(fmt.Sprintf("idle%d", i), k))
			err := acks.waitAcks(ctx, len(lat)+1)
			lat = append(lat, time.Since(start))
			cancel()
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	s.settle(a)
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max_ms")
	b.ReportMetric(0, "ns/op")
}

// fillStore writes n tickets as a year of work leaves them: each with its
// inbound entry, its sources and thread refs, and its two sends done.
func fillStore(ctx context.Context, path string, n int) error {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	year := now.Year()
	body := strings.Repeat("Të nderuar, kërkoj kopjen e kontratës për renovimin e stadiumit në Prizren. ", 12)
	const perTx = 1000
	for done := 0; done < n; done += perTx {
		err := st.WithTx(ctx, func(tx store.Tx) error {
			for i := done; i < min(done+perTx, n); i++ {
				seq, err := tx.NextSequence("DKP", year)
				if err != nil {
					return err
				}
				sender := inquiry.Address{Name: fmt.Sprintf("Qytetari %d", i), Address: fmt.Sprintf("old%d@example.net", i)}
				msgID := fmt.Sprintf("old-%d@example.net", i)
				at := now.Add(-time.Duration(n-i) * time.Minute)
				t := &inquiry.Ticket{
					Number: inquiry.FormatNumber("DKP", year, seq), Channel: inquiry.ChannelEmail, Sender: sender,
					Subject: "Kërkesë për qasje në dokumente", MessageID: msgID, Language: inquiry.Albanian,
					Category: inquiry.DocumentRequest, Classifier: "builtin", Confidence: 0.97, OfficerID: "jusuf",
					State: inquiry.Closed, Outcome: inquiry.Granted, ReceivedAt: at, UpdatedAt: at, ClosedAt: at,
				}
				if err := tx.CreateTicket(t); err != nil {
					return err
				}
				raw := fmt.Appendf(nil, "From: %s\r\nMessage-ID: <%s>\r\nSubject: %s\r\n\r\n%s\r\n", sender, msgID, t.Subject, body)
				if err := tx.AddEntry(&inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryInbound, SourceID: "msgid:" + msgID,
					MessageID: msgID, Author: sender.Address, Subject: t.Subject, Text: body, Raw: raw, CreatedAt: at}); err != nil {
					return err
				}
				if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: msgID, TicketID: t.ID}); err != nil {
					return err
				}
				for _, kind := range []inquiry.JobKind{inquiry.JobAck, inquiry.JobNotify} {
					id := fmt.Sprintf("sportel.%s.%d@mkrs.example", kind, i)
					j := &inquiry.Job{TicketID: t.ID, Kind: kind, Recipient: sender.Address, State: inquiry.JobDone, Attempts: 1,
						NextAt: at, CreatedAt: at, FinishedAt: at, Mail: &inquiry.Mail{MessageID: id, Date: at,
							From: inquiry.Address{Address: publicAddress}, To: []inquiry.Address{sender}, Subject: "Re: " + t.Subject, Text: body}}
					if err := tx.AddJob(j); err != nil {
						return err
					}
					if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: id, TicketID: t.ID, Kind: kind}); err != nil {
						return err
					}
				}
				if err := tx.MarkSource("msgid:"+msgID, t.ID, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fill store: tickets from %d: %w", done, err)
		}
	}
	return nil
}

// BenchmarkPeakRSS builds the binary, runs `sportel run` on a store that
// already holds 10,000 tickets while mail arrives, and reports its VmHWM.
func BenchmarkPeakRSS(b *testing.B) {
	const oldTickets, newMail = 10000, 200
	bin := buildSportel(b)
	var peaks []float64
	for i := range b.N {
		s := newMemStack(b)
		ctx := context.Background()
		if err := fillStore(ctx, s.cfg.Store.DSN, oldTickets); err != nil {
			b.Fatal(err)
		}
		d := startDaemon(b, bin, s)
		cmd, stderr := d.cmd, d.logs
		acks := &ackCounter{smtp: s.smtp}
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		for k := range newMail {
			s.append(benchMail(fmt.Sprintf("rss%d", i), k))
			if k%50 == 49 {
				// Mail arrives in bursts while the daemon runs.
				if err := acks.waitAcks(wctx, k+1); err != nil {
					cancel()
					b.Fatalf("%v\n%s", err, stderr.String())
				}
			}
		}
		cancel()
		hwm, err := vmHWM(cmd.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		d.stop(b)
		if n, err := (func() (int, error) {
			st, err := sqlite.Open(ctx, s.cfg.Store.DSN)
			if err != nil {
				return 0, err
			}
			defer st.Close()
			return st.CountTickets(ctx)
		})(); err != nil || n != oldTickets+newMail {
			b.Errorf("store holds %d tickets (err %v), want %d", n, err, oldTickets+newMail)
		}
		peaks = append(peaks, float64(hwm)/1024)
	}
	b.ReportMetric(slices.Max(peaks), "peak_RSS_MB")
	b.ReportMetric(0, "ns/op")
}

// buildSportel builds the sportel binary the benchmarks run as an operator
// would, and returns its path.
func buildSportel(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "sportel")
	if out, err := exec.Command("go", "build", "-o", bin, "sportel/cmd/sportel").CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// daemon is `sportel run` as a separate process, on a stack's servers and
// store, as an operator runs it.
type daemon struct {
	cmd    *exec.Cmd
	logs   *testutil.LogBuffer
	exited chan error
}

// startDaemon writes the stack's configuration and starts bin on it.
func startDaemon(tb testing.TB, bin string, s *stack) *daemon {
	return startDaemonWith(tb, bin, s, nil)
}

// startDaemonWith is startDaemon with the configuration's text changed by
// edit first.
func startDaemonWith(tb testing.TB, bin string, s *stack, edit func(string) string) *daemon {
	tb.Helper()
	imapSrv := s.box.(memServer)
	cfgPath := filepath.Join(tb.TempDir(), "sportel.yaml")
	cfgText := fmt.Sprintf(testConfig, imapSrv.Addr, imapSrv.Username, s.smtp.Addr, s.cfg.Store.DSN)
	cfgText = strings.Replace(cfgText, "driver: sqlite", "driver: "+s.cfg.Store.Driver, 1)
	if edit != nil {
		cfgText = edit(cfgText)
	}
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		tb.Fatal(err)
	}
	d := &daemon{cmd: exec.Command(bin, "run", "--config", cfgPath), logs: &testutil.LogBuffer{}, exited: make(chan error, 1)}
	// The config reads the IMAP password from the environment.
	d.cmd.Env = append(os.Environ(), imapPasswordEnv+"="+imapSrv.Password)
	d.cmd.Stdout, d.cmd.Stderr = d.logs, d.logs
	if err := d.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { d.exited <- d.cmd.Wait() }()
	tb.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			_ = d.cmd.Process.Kill()
		}
	})
	return d
}

// stop sends SIGTERM and requires a clean exit within 30 seconds.
func (d *daemon) stop(b testing.TB) {
	b.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		b.Fatal(err)
	}
	select {
	case err := <-d.exited:
		if err != nil {
			b.Fatalf("sportel run exited with %v after SIGTERM, want 0\n%s", err, d.logs.String())
		}
	case <-time.After(30 * time.Second):
		b.Fatalf("sportel run still running 30s after SIGTERM\n%s", d.logs.String())
	}
	if !strings.Contains(d.logs.String(), "stopped cleanly") {
		b.Errorf("sportel run did not log a clean stop:\n%s", d.logs.String())
	}
}

// vmHWM reads a process's peak resident set size in KiB.
func vmHWM(pid int) (int, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read status of pid %d: %w", pid, err)
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0, fmt.Errorf("parse VmHWM %q: %w", rest, err)
			}
			return kb, nil
		}
	}
	return 0, fmt.Errorf("pid %d: no VmHWM in /proc status", pid)
}

// BenchmarkBacklogIntakeOnly is the backlog without the outbox: how fast
// the watcher and the desk alone take mail in. Compared with
// BenchmarkBacklogMemory it shows what the sends cost.
func BenchmarkBacklogIntakeOnly(b *testing.B) {
	const backlog = 1000
	var total time.Duration
	for i := range b.N {
		b.StopTimer()
		s := newMemStack(b)
		for k := range backlog {
			s.append(benchMail(strconv.Itoa(i), k))
		}
		b.StartTimer()
		start := time.Now()
		a := s.open()
		w, err := a.newWatcher()
		if err != nil {
			b.Fatal(err)
		}
		stop := testutil.RunBackground(b, "watcher", stopLimit, w.Run)
		testutil.Eventually(b, "an empty INBOX", 5*time.Minute, func() (bool, error) {
			n, err := s.box.Count("INBOX")
			return n == 0, err
		})
		total += time.Since(start)
		b.StopTimer()
		stop()
		if st := w.Stats(); st.Filed != backlog {
			b.Errorf("filed %d, want %d", st.Filed, backlog)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(backlog*b.N)/total.Seconds(), "msgs/s")
	b.ReportMetric(0, "ns/op")
}
