package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"sportel/inbox"
	"sportel/inquiry"
	"sportel/internal/mailgen"
	"sportel/internal/testutil"
	"sportel/store"
)

// Benchmarks on realistic mail (internal/mailgen: text+HTML, quoted-printable
// and base64, windows-1250 and ISO-8859-2, signatures and quoted history, an
// attachment of 50-500 KB in about 1 in 20, a sender per mail), and the
// ceiling the machine allows for the same mail. Each reports msgs/s beside
// CPU use: proc_cpu_% is this process (Sportel, and for the memory server
// the IMAP and SMTP servers too) over wall time × GOMAXPROCS; host_cpu_% is
// every process on the machine (Dovecot, and whatever else runs) from
// /proc/stat; cpu_ms/msg is this process's user+system CPU time per mail.
//
//	go test -run XXX -bench 'Realistic' -benchtime 1x -count 3 ./app/

const realisticBacklog = 1000

// realisticMails is a backlog of generated mail; seed makes it differ
// between runs on one Dovecot.
func realisticMails(seed uint64) [][]byte {
	g := mailgen.New(rand.New(rand.NewPCG(seed, 0x5e1)), publicAddress, time.Now().Add(-12*time.Hour))
	return g.Backlog(realisticBacklog)
}

// cpuMeter reads the CPU time this process and the whole machine used,
// and this process's read and write system calls.
type cpuMeter struct {
	wall       time.Time
	proc       time.Duration
	busy, all  uint64
	hostFailed bool
	io         procIO
	ioFailed   bool
}

func startCPU() cpuMeter {
	c := cpuMeter{wall: time.Now(), proc: testutil.ProcessCPU()}
	var err error
	c.busy, c.all, err = hostCPU()
	c.hostFailed = err != nil
	c.io, err = readProcIO()
	c.ioFailed = err != nil
	return c
}

// cpuUse sums the meters of several runs.
type cpuUse struct {
	wall, proc time.Duration
	busy, all  uint64
	hostFailed bool
	io         procIO
	ioFailed   bool
}

func (u *cpuUse) add(c cpuMeter) {
	u.wall += time.Since(c.wall)
	u.proc += testutil.ProcessCPU() - c.proc
	busy, all, err := hostCPU()
	u.busy += busy - c.busy
	u.all += all - c.all
	u.hostFailed = u.hostFailed || c.hostFailed || err != nil
	io, err := readProcIO()
	u.io.reads += io.reads - c.io.reads
	u.io.writes += io.writes - c.io.writes
	u.io.written += io.written - c.io.written
	u.ioFailed = u.ioFailed || c.ioFailed || err != nil
}

// report gives CPU use as a share of the cores and, for msgs messages, as
// CPU time per message: the figure the machine's other load changes least.
func (u *cpuUse) report(b *testing.B, msgs int) {
	if msgs > 0 {
		b.ReportMetric(float64(u.proc.Microseconds())/1000/float64(msgs), "cpu_ms/msg")
	}
	b.ReportMetric(100*u.proc.Seconds()/(u.wall.Seconds()*float64(runtime.GOMAXPROCS(0))), "proc_cpu_%")
	if !u.hostFailed && u.all > 0 {
		b.ReportMetric(100*float64(u.busy)/float64(u.all), "host_cpu_%")
	}
	// Exact where timings on a shared machine are not: a change of a
	// system call a mail shows here when msg/s cannot tell it from noise.
	// Both sides of the loopback count for the in-process servers.
	if !u.ioFailed && msgs > 0 {
		b.ReportMetric(float64(u.io.reads)/float64(msgs), "read_calls/msg")
		b.ReportMetric(float64(u.io.writes)/float64(msgs), "write_calls/msg")
		b.ReportMetric(float64(u.io.written)/1024/float64(msgs), "written_KiB/msg")
	}
}

// procIO is this process's read and write system calls and the bytes it
// wrote (files and sockets alike), from /proc/self/io.
type procIO struct{ reads, writes, written uint64 }

func readProcIO() (procIO, error) {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return procIO{}, err
	}
	var io procIO
	found := 0
	for line := range strings.Lines(string(data)) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ": ")
		if !ok {
			continue
		}
		var dst *uint64
		switch name {
		case "syscr":
			dst = &io.reads
		case "syscw":
			dst = &io.writes
		case "wchar":
			dst = &io.written
		default:
			continue
		}
		if *dst, err = strconv.ParseUint(value, 10, 64); err != nil {
			return procIO{}, fmt.Errorf("/proc/self/io %s: %w", name, err)
		}
		found++
	}
	if found != 3 {
		return procIO{}, fmt.Errorf("/proc/self/io: %d of syscr, syscw, wchar", found)
	}
	return io, nil
}

// hostCPU reads the machine's busy and total CPU ticks from /proc/stat.
func hostCPU() (busy, all uint64, err error) {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	fields := strings.Fields(line)
	if len(fields) < 8 || fields[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	// user nice system idle iowait irq softirq steal
	for i, f := range fields[1:9] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/stat: %w", err)
		}
		all += v
		if i != 3 && i != 4 {
			busy += v
		}
	}
	return busy, all, nil
}

// waitMoved waits until n more messages than before sit in the processed
// mailbox, looking often so the end of a run is seen within milliseconds.
func waitMoved(ctx context.Context, s *stack, before, n int) error {
	for {
		got, err := s.box.Count(processedBox)
		if err == nil && got-before >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %d moved messages: %w (have %d, err %v)", n, ctx.Err(), got-before, err)
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// steadyFrom is the acknowledgement from which benchRealistic times the
// steady rate: by then the daemon has started, fetched its first batch and
// its outbox is sending.
const steadyFrom = 100

// benchRealistic is the whole daemon on a realistic backlog: from its start
// until every mail is acknowledged on the SMTP server and moved. Beside that
// rate it reports the two parts of it: the time from the start to the first
// acknowledgement (opening the store, logging in, the first batch) and the
// rate from the steadyFrom-th acknowledgement to the last.
func benchRealistic(b *testing.B, newStack func(testing.TB) *stack) {
	var total, firstAck, steady time.Duration
	var cpu cpuUse
	for i := range b.N {
		b.StopTimer()
		s := newStack(b)
		for _, raw := range realisticMails(uint64(time.Now().UnixNano()) + uint64(i)) {
			s.append(raw)
		}
		processedBefore := s.countOrZero(processedBox)
		acks := &ackCounter{smtp: s.smtp}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		b.StartTimer()

		meter := startCPU()
		start := time.Now()
		a := s.open() // the daemon starting: store, classifier, desk
		stop := testutil.RunBackground(b, "serve", stopLimit, a.Run)
		var first, settled time.Time
		err := acks.waitAcks(ctx, 1)
		if err == nil {
			first = time.Now()
			err = acks.waitAcks(ctx, steadyFrom)
		}
		if err == nil {
			settled = time.Now()
			err = acks.waitAcks(ctx, realisticBacklog)
		}
		if err == nil {
			steady += time.Since(settled)
			firstAck += first.Sub(start)
			err = waitMoved(ctx, s, processedBefore, realisticBacklog)
		}
		total += time.Since(start)
		cpu.add(meter)

		b.StopTimer()
		cancel()
		stop()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(realisticBacklog*b.N)/total.Seconds(), "msgs/s")
	b.ReportMetric(float64(firstAck.Milliseconds())/float64(b.N), "first_ack_ms")
	b.ReportMetric(float64((realisticBacklog-steadyFrom)*b.N)/steady.Seconds(), "steady_msgs/s")
	cpu.report(b, realisticBacklog*b.N)
	b.ReportMetric(0, "ns/op")
}

func BenchmarkRealisticBacklogMemory(b *testing.B) { benchRealistic(b, newMemStack) }

func BenchmarkRealisticBacklogDovecot(b *testing.B) { benchRealistic(b, newDovecotStack) }

// ceilingHandler is the least a daemon must do per mail, with nothing of the
// desk: one durable commit per chunk that records each message (its source
// mark and a row with the raw mail), then one send each, handed to senders
// that work while the next chunk is taken in.
type ceilingHandler struct {
	st    store.Store
	sends chan<- *inquiry.Mail
	n     int
}

func (h *ceilingHandler) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	ds, err := h.HandleBatch(ctx, []*inquiry.Message{m})
	if err != nil {
		return "", err
	}
	return ds[0], nil
}

func (h *ceilingHandler) HandleBatch(ctx context.Context, ms []*inquiry.Message) ([]inquiry.Disposition, error) {
	now := time.Now()
	err := h.st.WithTx(ctx, func(tx store.Tx) error {
		for _, m := range ms {
			if err := tx.MarkSource(m.SourceID, 0, now); err != nil {
				return err
			}
			row := &inquiry.SetAside{Kind: inquiry.SetAsideMachine, SourceID: m.SourceID, From: m.From.Address,
				Subject: m.Subject, Reason: "ceiling benchmark", ReceivedAt: m.ReceivedAt, Raw: m.Raw}
			if err := tx.AddSetAside(row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ds := make([]inquiry.Disposition, len(ms))
	for i, m := range ms {
		h.n++
		ds[i] = inquiry.Filed
		h.sends <- &inquiry.Mail{
			MessageID: fmt.Sprintf("sportel.ack.ceiling%d@mkrs.example", h.n), Date: now,
			From: inquiry.Address{Name: "Divizioni për Komunikim Publik", Address: publicAddress},
			To:   []inquiry.Address{m.From}, Subject: "Re: " + m.Subject,
			InReplyTo: []string{m.MessageID}, References: []string{m.MessageID}, AutoReplied: true,
			Text: "Të nderuar,\n\nkërkesa juaj u pranua me numrin DKP-2026-000001.\n\nDivizioni për Komunikim Publik\n",
		}
	}
	return ds, nil
}

// benchCeiling drains the same backlog through the real watcher (fetch,
// parse, batches, moves, checkpoints), the real SQLite store and the real
// mailer, with no classifier and no desk: what the machine and the servers
// allow.
func benchCeiling(b *testing.B, newStack func(testing.TB) *stack) {
	var total time.Duration
	var cpu cpuUse
	for i := range b.N {
		b.StopTimer()
		s := newStack(b)
		for _, raw := range realisticMails(uint64(time.Now().UnixNano()) + uint64(i)) {
			s.append(raw)
		}
		processedBefore := s.countOrZero(processedBox)
		a := s.open()
		m, err := a.newMailer()
		if err != nil {
			b.Fatal(err)
		}
		sends := make(chan *inquiry.Mail, realisticBacklog)
		w, err := a.newWatcherWith(&ceilingHandler{st: a.store, sends: sends})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		b.StartTimer()

		meter := startCPU()
		start := time.Now()
		var senders sync.WaitGroup
		var sendErr error
		var sendErrOnce sync.Once
		// As many senders as the outbox has workers.
		for range a.cfg.Outbox.Workers {
			senders.Go(func() {
				for mail := range sends {
					if err := m.SendMail(ctx, mail); err != nil {
						sendErrOnce.Do(func() { sendErr = err })
					}
				}
			})
		}
		stop := testutil.RunBackground(b, "watcher", stopLimit, w.Run)
		err = s.smtp.WaitCount(ctx, realisticBacklog)
		if err == nil {
			err = waitMoved(ctx, s, processedBefore, realisticBacklog)
		}
		total += time.Since(start)
		cpu.add(meter)

		b.StopTimer()
		stop()
		close(sends)
		senders.Wait()
		m.Close()
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		if sendErr != nil {
			b.Fatal(sendErr)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(realisticBacklog*b.N)/total.Seconds(), "msgs/s")
	cpu.report(b, realisticBacklog*b.N)
	b.ReportMetric(0, "ns/op")
}

func BenchmarkRealisticCeilingMemory(b *testing.B) { benchCeiling(b, newMemStack) }

func BenchmarkRealisticCeilingDovecot(b *testing.B) { benchCeiling(b, newDovecotStack) }

var _ inbox.BatchHandler = (*ceilingHandler)(nil)

// benchRealisticLatency appends realistic mail to an idle daemon, one at a
// time, and measures APPEND → acknowledgement captured on the SMTP server.
// Before the daemon starts, a bare client idling on the mailbox measures
// APPEND → the server's own EXISTS notification: the part of the latency no
// client can remove (alone on the mailbox, so nothing moves the mail away
// before a server that checks on a timer notices it).
func benchRealisticLatency(b *testing.B, newStack func(testing.TB) *stack) {
	const samples, notifySamples = 200, 50
	s := newStack(b)
	g := mailgen.New(rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x1d1e)), publicAddress, time.Now())
	notifyLat := serverNotifyDelay(b, s, g, notifySamples)

	a, stop := s.serve()
	defer stop()
	acks := &ackCounter{smtp: s.smtp}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	err := acks.waitAcks(ctx, notifySamples)
	cancel()
	if err != nil {
		b.Fatal(err)
	}
	s.settle(a)
	time.Sleep(300 * time.Millisecond) // the watcher settles into IDLE
	var ackLat []time.Duration
	b.ResetTimer()
	for range b.N {
		for range samples {
			raw := g.Next().Raw
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			start := time.Now()
			s.append(raw)
			err := acks.waitAcks(ctx, notifySamples+len(ackLat)+1)
			ackLat = append(ackLat, time.Since(start))
			cancel()
			if err != nil {
				b.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond) // idle again before the next mail
		}
	}
	b.StopTimer()
	s.settle(a)
	ms := func(list []time.Duration, p float64) float64 {
		sorted := slices.Sorted(slices.Values(list))
		return float64(sorted[min(len(sorted)-1, int(p*float64(len(sorted))))].Microseconds()) / 1000
	}
	b.ReportMetric(ms(ackLat, 0.50), "ack_p50_ms")
	b.ReportMetric(ms(ackLat, 0.99), "ack_p99_ms")
	b.ReportMetric(ms(notifyLat, 0.50), "server_notify_p50_ms")
	b.ReportMetric(ms(ackLat, 0.50)-ms(notifyLat, 0.50), "ack_over_notify_p50_ms")
	b.ReportMetric(0, "ns/op")
}

// serverNotifyDelay appends n mails one at a time while a bare client idles
// on INBOX, and returns how long each took to be announced (EXISTS).
func serverNotifyDelay(b *testing.B, s *stack, g *mailgen.Generator, n int) []time.Duration {
	exists := make(chan time.Time, 64)
	c, err := imapclient.DialInsecure(s.cfg.IMAP.Addr, &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case exists <- time.Now():
					default:
					}
				}
			},
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(s.cfg.IMAP.Username, s.cfg.IMAP.Password.Reveal()).Wait(); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		b.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the server has entered IDLE
	var lat []time.Duration
	for range n {
		start := time.Now()
		s.append(g.Next().Raw)
		select {
		case at := <-exists:
			lat = append(lat, at.Sub(start))
		case <-time.After(30 * time.Second):
			b.Fatal("the server announced no new mail within 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := idle.Close(); err != nil {
		b.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		b.Fatal(err)
	}
	return lat
}

func BenchmarkRealisticIdleLatencyMemory(b *testing.B) { benchRealisticLatency(b, newMemStack) }

func BenchmarkRealisticIdleLatencyDovecot(b *testing.B) { benchRealisticLatency(b, newDovecotStack) }
