package inbox

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"sportel/inquiry"
)

func TestPlanBoundsBatchesByCountAndBytes(t *testing.T) {
	const maxRaw = 1000
	tests := []struct {
		name       string
		batchSize  int
		batchBytes int64
		sizes      []int64
		want       [][]int64
	}{
		{"count bound", 2, 1 << 20, []int64{10, 10, 10, 10, 10}, [][]int64{{10, 10}, {10, 10}, {10}}},
		// A message costs parsedFactor times its size: raw and parsed.
		{"byte bound", 100, parsedFactor * 250, []int64{100, 100, 100, 100}, [][]int64{{100, 100}, {100, 100}}},
		{"exactly the budget", 100, parsedFactor * 300, []int64{100, 100, 100, 100}, [][]int64{{100, 100, 100}, {100}}},
		{"one message over the budget goes alone", 100, parsedFactor * 250, []int64{10, 900, 10}, [][]int64{{10}, {900}, {10}}},
		// A too-large message costs only its preview, whatever its size.
		{"too large costs its preview", 100, parsedFactor * 2 * (previewHeaderBytes + previewTextBytes),
			[]int64{1 << 30, 1 << 30, 1 << 30}, [][]int64{{1 << 30, 1 << 30}, {1 << 30}}},
		{"nothing", 10, 100, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &Watcher{opts: Options{BatchSize: tt.batchSize, BatchBytes: tt.batchBytes, MaxRawBytes: maxRaw}}
			var in []listed
			for i, s := range tt.sizes {
				in = append(in, listed{uid: imap.UID(i + 1), size: s})
			}
			var got [][]int64
			next := imap.UID(1)
			for _, b := range w.plan(in) {
				var sizes []int64
				for _, f := range b {
					if f.uid != next {
						t.Fatalf("uid %d out of order, want %d", f.uid, next)
					}
					next++
					sizes = append(sizes, f.size)
				}
				got = append(got, sizes)
			}
			if !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("plan = %v, want %v", got, tt.want)
			}
		})
	}
}

// bigRawMail is a mail with a text part and an attachment of n random
// bytes, base64 as mail clients send it.
func bigRawMail(msgID, subject, text string, n int) []byte {
	content := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(content)
	enc := base64.StdEncoding.EncodeToString(content)
	var b strings.Builder
	b.WriteString("From: Arta Krasniqi <arta@example.org>\r\nTo: dkp@example.gov\r\nSubject: " + subject + "\r\n")
	b.WriteString("Message-ID: <" + msgID + ">\r\nDate: Mon, 02 Feb 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n")
	b.WriteString("--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n")
	b.WriteString("--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--b1--\r\n")
	return []byte(b.String())
}

// keepingDesk is a testDesk that keeps every message it is given.
type keepingDesk struct {
	*testDesk
	mu   sync.Mutex
	msgs map[string]*inquiry.Message
}

func (d *keepingDesk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	d.mu.Lock()
	d.msgs[m.Subject] = m
	d.mu.Unlock()
	return d.testDesk.Handle(ctx, m)
}

func (d *keepingDesk) message(subject string) *inquiry.Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.msgs[subject]
}

// Mail over MaxRawBytes is never fetched whole: its header and the start of
// its text are read, it is handed over marked TooLarge, and it ends in the
// quarantine mailbox whatever the desk made of it; the mail around it goes
// on as usual.
func TestTooLargeMailIsReadInPartAndQuarantined(t *testing.T) {
	const maxRaw = 256 << 10
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	big := bigRawMail("big@example.org", "big one", "Të nderuar, ju dërgoj skanimin e kërkesës.", 4<<20)
	ts.appendTo("INBOX", rawMail("small1@example.org", "small one", "first"), time.Time{})
	ts.appendTo("INBOX", big, time.Time{})
	ts.appendTo("INBOX", rawMail("small2@example.org", "small two", "second"), time.Time{})
	desk := &keepingDesk{testDesk: newTestDesk(), msgs: map[string]*inquiry.Message{}}
	opts := baseOptions(ts)
	opts.MaxRawBytes = maxRaw
	before := ts.sent.Load()
	w, _ := runWatcher(t, opts, desk, newMemCheckpoints())

	calls := desk.waitHandled(t, 3, 5*time.Second)
	ts.mailboxHolds(t, "INBOX", 0, 2*time.Second)
	var order []string
	for _, c := range calls {
		order = append(order, c.Subject)
	}
	if want := []string{"small one", "big one", "small two"}; !slices.Equal(order, want) {
		t.Errorf("handled %v, want %v", order, want)
	}
	if sent := ts.sent.Load() - before; sent > maxRaw {
		t.Errorf("the server sent %d bytes, more than max raw bytes %d: the big mail was fetched whole", sent, maxRaw)
	}
	if got, want := ts.subjects(quarantineBx, nil), []string{"big one"}; !slices.Equal(got, want) {
		t.Errorf("quarantine holds %v, want %v", got, want)
	}
	if got, want := ts.subjects(processedBox, nil), []string{"small one", "small two"}; !slices.Equal(got, want) {
		t.Errorf("processed holds %v, want %v", got, want)
	}
	if st := w.Stats(); st.TooLarge != 1 {
		t.Errorf("Stats.TooLarge = %d, want 1", st.TooLarge)
	}

	m := desk.message("big one")
	checks := []struct {
		what string
		ok   bool
	}{
		{"TooLarge set", m.TooLarge},
		{fmt.Sprintf("Size %d = %d", m.Size, len(big)), m.Size == int64(len(big))},
		{"KeptIn " + m.KeptIn, m.KeptIn == quarantineBx},
		{"RawTruncated", m.RawTruncated},
		{fmt.Sprintf("raw of %d bytes within the preview", len(m.Raw)), len(m.Raw) <= previewHeaderBytes+previewTextBytes+4},
		{"Message-ID read from the header", m.SourceID == "msgid:big@example.org"},
		{"text start read: " + m.Text, strings.Contains(m.Text, "ju dërgoj skanimin")},
		{fmt.Sprintf("a parse problem names the quarantine mailbox: %q", m.ParseProblems),
			slices.ContainsFunc(m.ParseProblems, func(p string) bool { return strings.Contains(p, "too large") && strings.Contains(p, quarantineBx) })},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("too-large message: want %s", c.what)
		}
	}
	if small := desk.message("small one"); small.TooLarge || small.Size != int64(len(rawMail("small1@example.org", "small one", "first"))) {
		t.Errorf("small mail: TooLarge %v, Size %d", small.TooLarge, small.Size)
	}
}

// A backlog larger than the byte budget is read in several batches, each
// within the budget, and all of it is taken in, in order.
func TestBacklogIsFetchedWithinTheByteBudget(t *testing.T) {
	const n, size = 12, 64 << 10
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	var want []string
	for i := range n {
		subject := fmt.Sprintf("mail %02d", i)
		want = append(want, subject)
		ts.appendTo("INBOX", bigRawMail(fmt.Sprintf("m%d@example.org", i), subject, "text", size), time.Time{})
	}
	desk := newTestDesk()
	opts := baseOptions(ts)
	opts.BatchBytes = 3 * size // about two mails (base64 adds a third)
	runWatcher(t, opts, desk, newMemCheckpoints())
	calls := desk.waitHandled(t, n, 10*time.Second)
	ts.mailboxHolds(t, processedBox, n, 2*time.Second)
	var got []string
	for _, c := range calls {
		got = append(got, c.Subject)
	}
	if !slices.Equal(got, want) {
		t.Errorf("handled %v, want %v", got, want)
	}
}

// literal is a fetched section whose announced size may be wrong.
type literal struct {
	*strings.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

func TestReadLiteral(t *testing.T) {
	const limit = 16
	tests := []struct {
		name    string
		lit     imap.LiteralReader
		want    string
		wantNil bool
		wantErr bool
	}{
		{"none", nil, "", true, false},
		{"exact size", literal{strings.NewReader("Subject: x\r\n\r\nhi"), 16}, "Subject: x\r\n\r\nhi", false, false},
		{"empty", literal{strings.NewReader(""), 0}, "", false, false},
		{"announced larger than sent", literal{strings.NewReader("short"), 10}, "", false, true},
		{"announced beyond the limit is read as it comes", literal{strings.NewReader("small"), 1 << 40}, "small", false, false},
		{"negative size is read as it comes", literal{strings.NewReader("abc"), -1}, "abc", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readLiteral(tt.lit, limit)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if string(got) != tt.want || (got == nil) != tt.wantNil {
				t.Errorf("got %q (nil %v), want %q (nil %v)", got, got == nil, tt.want, tt.wantNil)
			}
			if tt.lit != nil && tt.lit.Size() >= 0 && tt.lit.Size() <= limit && cap(got) != len(got) {
				t.Errorf("cap %d for %d bytes: not one exact allocation", cap(got), len(got))
			}
		})
	}
}
