package inbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// orderedDesk is a testDesk that keeps every message, in the order given.
type orderedDesk struct {
	*testDesk
	mu   sync.Mutex
	msgs []*inquiry.Message
}

func (d *orderedDesk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	d.mu.Lock()
	d.msgs = append(d.msgs, m)
	d.mu.Unlock()
	return d.testDesk.Handle(ctx, m)
}

func (d *orderedDesk) kept() []*inquiry.Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.msgs)
}

// Hostile and broken mail, through the real watcher and parser against a
// real IMAP server: each one reaches the desk with what can be read of it
// (and its problems named), and the plain mail after each one is taken in.
func TestHostileMailThroughTheWatcher(t *testing.T) {
	const from = "From: Arta Krasniqi <arta@example.org>\r\n"
	multipart := func(parts ...string) string {
		return "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + strings.Join(parts, "\r\n--b\r\n") + "\r\n--b--\r\n"
	}
	cases := []struct {
		name string
		raw  string
		// want* are checked on the message the desk got.
		wantFrom    string
		wantSubject string
		wantText    string // contained in Text
		wantProblem string // contained in one of ParseProblems
	}{
		{
			name:     "bare CR line endings",
			raw:      strings.ReplaceAll(from+"Subject: old Mac\r\nMessage-ID: <cr@example.org>\r\n\r\nKërkoj vendimin.\r\nFaleminderit\r\n", "\r\n", "\r"),
			wantFrom: "arta@example.org", wantSubject: "old Mac", wantText: "Kërkoj vendimin.\nFaleminderit",
		},
		{
			name:     "LF-only line endings",
			raw:      strings.ReplaceAll(from+"Subject: unix\r\n\r\nKërkoj vendimin.\r\n", "\r\n", "\n"),
			wantFrom: "arta@example.org", wantSubject: "unix", wantText: "Kërkoj vendimin.",
		},
		{
			name:     "multipart with no boundary",
			raw:      from + "Subject: no boundary\r\n" + "Content-Type: multipart/mixed\r\n\r\nplain words\r\n",
			wantFrom: "arta@example.org", wantSubject: "no boundary", wantText: "plain words", wantProblem: "without boundary",
		},
		{
			name:     "boundary never closed",
			raw:      from + "Subject: unclosed\r\n" + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n",
			wantFrom: "arta@example.org", wantSubject: "unclosed", wantText: "first part", wantProblem: "missing closing boundary",
		},
		{
			name:     "header block with no body",
			raw:      from + "Subject: only a header\r\n",
			wantFrom: "arta@example.org", wantSubject: "only a header",
		},
		{
			name:     "raw windows-1250 in Subject and From",
			raw:      "From: \xd0or\xf0e Petrovi\xe6 <djordje@example.rs>\r\nSubject: Zahtev za re\xb9enje\r\n\r\ntekst\r\n",
			wantFrom: "djordje@example.rs", wantSubject: "Zahtev za rešenje", wantProblem: "raw 8-bit bytes in Subject",
		},
		{
			name:        "group syntax From",
			raw:         "From: undisclosed-recipients:;\r\nSubject: nobody\r\n\r\nwords\r\n",
			wantSubject: "nobody", wantText: "words", wantProblem: "unreadable From",
		},
		{
			name:     "x-uuencode and utf-7",
			raw:      from + "Subject: old encodings\r\n" + multipart("Content-Type: text/plain; charset=utf-7\r\n\r\nHi", "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 a\r\nend"),
			wantFrom: "arta@example.org", wantSubject: "old encodings", wantProblem: "x-uuencode",
		},
		{
			name:     "NUL bytes",
			raw:      from + "Subject: nul\r\n\r\nbe\x00fore\r\n",
			wantFrom: "arta@example.org", wantSubject: "nul", wantText: "fore",
		},
	}

	ts := startIMAP(t, serverConfig{caps: capsRev2})
	for i, tc := range cases {
		ts.appendTo("INBOX", []byte(tc.raw), time.Time{})
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("after-%d@example.org", i), fmt.Sprintf("after %d", i), "plain"), time.Time{})
	}
	desk := &orderedDesk{testDesk: newTestDesk()}
	opts := baseOptions(ts)
	opts.Parse = func(raw []byte, receivedAt time.Time) *inquiry.Message {
		return parse.Parse(raw, receivedAt, parse.Options{OwnAddresses: []string{"dkp@example.gov"}})
	}
	runWatcher(t, opts, desk, newMemCheckpoints())
	desk.waitHandled(t, 2*len(cases), 10*time.Second)
	ts.mailboxHolds(t, "INBOX", 0, 2*time.Second)

	got := desk.kept()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, after := got[2*i], got[2*i+1]
			if after.Subject != fmt.Sprintf("after %d", i) {
				t.Errorf("the mail after it: subject %q", after.Subject)
			}
			if m.From.Address != tc.wantFrom {
				t.Errorf("From = %q, want %q (problems %q)", m.From.Address, tc.wantFrom, m.ParseProblems)
			}
			if m.Subject != tc.wantSubject {
				t.Errorf("Subject = %q, want %q (problems %q)", m.Subject, tc.wantSubject, m.ParseProblems)
			}
			if !strings.Contains(m.Text, tc.wantText) {
				t.Errorf("Text = %q, want it to hold %q", m.Text, tc.wantText)
			}
			if tc.wantProblem != "" && !slices.ContainsFunc(m.ParseProblems, func(p string) bool { return strings.Contains(p, tc.wantProblem) }) {
				t.Errorf("ParseProblems %q name no %q", m.ParseProblems, tc.wantProblem)
			}
			if len(m.Raw) == 0 {
				t.Error("Raw not kept")
			}
		})
	}
}
