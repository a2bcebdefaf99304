package mailgen_test

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/mailgen"
)

const to = "komunikimi@mkrs.example"

var start = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func newGen(seed uint64) *mailgen.Generator {
	return mailgen.New(rand.New(rand.NewPCG(seed, 1)), to, start)
}

func TestDeterministic(t *testing.T) {
	a, b, c := newGen(7), newGen(7), newGen(8)
	for i := range 50 {
		ma, mb, mc := a.Next(), b.Next(), c.Next()
		if !bytes.Equal(ma.Raw, mb.Raw) {
			t.Fatalf("mail %d differs between two generators with the same seed", i)
		}
		if bytes.Equal(ma.Raw, mc.Raw) {
			t.Fatalf("mail %d is the same for different seeds", i)
		}
	}
}

// words collapses white space, so wrapped lines compare with the sentence.
func words(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestMailParses generates a backlog and reads each mail as the daemon
// does: no parse problems, a person's mail, and the writer's own sentences
// in the text the classifier sees, for every shape.
func TestMailParses(t *testing.T) {
	// 500 mails keep the race-enabled test run short; the generator gives
	// every mail its own sender however many are drawn.
	const n = 500
	g := newGen(1)
	shapes := map[mailgen.Shape]int{}
	langs := map[mailgen.Language]int{}
	senders := map[string]bool{}
	var attachments, quoted, signed int
	for i := range n {
		m := g.Next()
		shapes[m.Shape]++
		langs[m.Language]++
		senders[m.From] = true
		if m.Quoted {
			quoted++
		}
		if m.Signature {
			signed++
		}
		p := parse.Parse(m.Raw, start, parse.Options{OwnAddresses: []string{to}})
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("mail %d (%s, %s): "+format+"\n%s", append([]any{i, m.Shape, m.Language}, append(args, m.Raw[:min(len(m.Raw), 4000)])...)...)
		}
		if len(p.ParseProblems) > 0 {
			fail("parse problems %q", p.ParseProblems)
		}
		if p.Automation != inquiry.Human {
			fail("judged %s (%s), want a person's mail", p.Automation, p.AutomationReason)
		}
		if p.From.Address != m.From || p.From.Name != m.Name {
			fail("From = %q <%s>, want %q <%s>", p.From.Name, p.From.Address, m.Name, m.From)
		}
		if p.Subject != m.Subject || p.MessageID != m.MessageID || p.SentAt.IsZero() {
			fail("Subject %q, Message-ID %q, Date %v; want %q, %q and a date", p.Subject, p.MessageID, p.SentAt, m.Subject, m.MessageID)
		}
		text := words(p.Text)
		for _, own := range m.Own {
			if !strings.Contains(text, words(own)) {
				fail("text lacks %q; got %q", own, p.Text)
			}
		}
		if m.Attachment == nil {
			if len(p.Attachments) != 0 {
				fail("%d attachments, want none", len(p.Attachments))
			}
			continue
		}
		attachments++
		if len(p.Attachments) != 1 {
			fail("%d attachments, want 1", len(p.Attachments))
			continue
		}
		got := p.Attachments[0]
		if got.Name != m.Attachment.Name || got.ContentType != m.Attachment.ContentType || got.Size != int64(m.Attachment.Size) {
			fail("attachment %q %s %d bytes, want %q %s %d bytes", got.Name, got.ContentType, got.Size,
				m.Attachment.Name, m.Attachment.ContentType, m.Attachment.Size)
		}
		if m.Attachment.Size < 50<<10 || m.Attachment.Size > 500<<10 {
			fail("attachment of %d bytes, want 50-500 KB", m.Attachment.Size)
		}
	}
	if len(senders) != n {
		t.Errorf("%d distinct senders in %d mails, want one each", len(senders), n)
	}
	// The documented proportions, with room for chance.
	checks := []struct {
		what     string
		got      int
		min, max int
	}{
		{"text/plain utf-8 8bit", shapes[mailgen.PlainUTF8], 95, 170},
		{"text/plain utf-8 quoted-printable", shapes[mailgen.PlainQP], 50, 105},
		{"multipart/alternative utf-8 quoted-printable", shapes[mailgen.AlternativeQP], 120, 195},
		{"multipart/alternative utf-8 base64", shapes[mailgen.AlternativeB64], 30, 80},
		{"text/plain windows-1250", shapes[mailgen.PlainWin1250], 20, 65},
		{"multipart/alternative iso-8859-2", shapes[mailgen.AlternativeISO2], 15, 60},
		{"text/html only", shapes[mailgen.HTMLOnly], 10, 45},
		{"Albanian", langs[mailgen.Albanian], 140, 210},
		{"Albanian without ë/ç", langs[mailgen.AlbanianASCII], 70, 130},
		{"Serbian Latin", langs[mailgen.SerbianLatin], 50, 100},
		{"Serbian Cyrillic", langs[mailgen.SerbianCyrillic], 30, 75},
		{"English", langs[mailgen.English], 70, 130},
		{"attachments", attachments, 12, 45},
		{"quoted earlier messages", quoted, 95, 155},
		{"signatures", signed, 215, 285},
	}
	for _, c := range checks {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s: %d of %d mails, want %d-%d", c.what, c.got, n, c.min, c.max)
		}
	}
}

// TestShapesOnTheWire checks that each shape is written as its name says.
func TestShapesOnTheWire(t *testing.T) {
	tests := []struct {
		shape mailgen.Shape
		want  []string
	}{
		{mailgen.PlainUTF8, []string{"Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"}},
		{mailgen.PlainQP, []string{"Content-Type: text/plain; charset=\"utf-8\"", "Content-Transfer-Encoding: quoted-printable"}},
		{mailgen.AlternativeQP, []string{"multipart/alternative", "Content-Type: text/html; charset=\"utf-8\"", "quoted-printable", "<style"}},
		{mailgen.AlternativeB64, []string{"multipart/alternative", "Content-Transfer-Encoding: base64"}},
		{mailgen.PlainWin1250, []string{"charset=\"windows-1250\"", "quoted-printable"}},
		{mailgen.AlternativeISO2, []string{"multipart/alternative", "charset=\"iso-8859-2\""}},
		{mailgen.HTMLOnly, []string{"Content-Type: text/html; charset=\"utf-8\""}},
	}
	g := newGen(3)
	found := map[mailgen.Shape]mailgen.Mail{}
	for range 200 {
		m := g.Next()
		if _, ok := found[m.Shape]; !ok && m.Attachment == nil {
			found[m.Shape] = m
		}
	}
	for _, tt := range tests {
		t.Run(string(tt.shape), func(t *testing.T) {
			m, ok := found[tt.shape]
			if !ok {
				t.Fatalf("no mail of shape %s in 200", tt.shape)
			}
			for _, w := range append(tt.want, "DKIM-Signature:", "Received:", "Message-ID:") {
				if !bytes.Contains(m.Raw, []byte(w)) {
					t.Errorf("mail lacks %q:\n%s", w, m.Raw)
				}
			}
		})
	}
}
