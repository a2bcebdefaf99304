package parse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"sportel/inquiry"
)

var testOpts = Options{
	OwnAddresses:       []string{"dkp@mkrs-ks.org"},
	OwnMessageIDDomain: "sportel.mkrs-ks.org",
}

var received = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// lineEndings gives a message with LF and with CRLF line ends: mail arrives
// both ways (IMAP gives CRLF, files and some gateways LF).
func lineEndings(raw string) map[string][]byte {
	return map[string][]byte{
		"LF":   []byte(raw),
		"CRLF": []byte(strings.ReplaceAll(raw, "\n", "\r\n")),
	}
}

func wantText(t *testing.T, m *inquiry.Message, want string) {
	t.Helper()
	if m.Text != want {
		t.Errorf("Text = %q, want %q", m.Text, want)
	}
}

func wantProblem(t *testing.T, m *inquiry.Message, substr string) {
	t.Helper()
	for _, p := range m.ParseProblems {
		if strings.Contains(p, substr) {
			return
		}
	}
	t.Errorf("ParseProblems %q lack %q", m.ParseProblems, substr)
}

func wantNoProblems(t *testing.T, m *inquiry.Message) {
	t.Helper()
	if len(m.ParseProblems) > 0 {
		t.Errorf("unexpected ParseProblems %q", m.ParseProblems)
	}
}

func wantAutomation(t *testing.T, m *inquiry.Message, a inquiry.Automation, reason string) {
	t.Helper()
	if m.Automation != a {
		t.Errorf("Automation = %q (%s), want %q", m.Automation, m.AutomationReason, a)
	}
	if !strings.Contains(m.AutomationReason, reason) {
		t.Errorf("AutomationReason = %q, want it to contain %q", m.AutomationReason, reason)
	}
}

func wantAttachment(t *testing.T, m *inquiry.Message, name, contentType string, content []byte) {
	t.Helper()
	for _, a := range m.Attachments {
		if a.Name != name {
			continue
		}
		if a.ContentType != contentType {
			t.Errorf("attachment %q type %q, want %q", name, a.ContentType, contentType)
		}
		if content != nil && !bytes.Equal(a.Content, content) {
			t.Errorf("attachment %q content %q, want %q", name, a.Content, content)
		}
		if content != nil && a.Size != int64(len(content)) {
			t.Errorf("attachment %q size %d, want %d", name, a.Size, len(content))
		}
		return
	}
	var names []string
	for _, a := range m.Attachments {
		names = append(names, a.Name+" ("+a.ContentType+")")
	}
	t.Errorf("no attachment %q; have %q", name, names)
}

// The Albanian and Serbian letters that break when a charset goes wrong.
const letters = "ë ç č ć š ž đ"

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		raw   string
		opts  *Options
		check func(t *testing.T, m *inquiry.Message)
	}{
		{
			name: "plain utf-8",
			raw: `From: Arta Krasniqi <arta@example.org>
To: dkp@mkrs-ks.org
Subject: Kërkesë për dokument
Date: Mon, 02 Mar 2026 10:15:00 +0100
Message-ID: <a1@example.org>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Përshëndetje,
kërkoj kopjen e vendimit për financimin e klubit.
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantText(t, m, "Përshëndetje,\nkërkoj kopjen e vendimit për financimin e klubit.")
				if m.Subject != "Kërkesë për dokument" {
					t.Errorf("Subject = %q", m.Subject)
				}
				if m.From != (inquiry.Address{Name: "Arta Krasniqi", Address: "arta@example.org"}) {
					t.Errorf("From = %+v", m.From)
				}
				if m.MessageID != "a1@example.org" || !strings.HasPrefix(m.SourceID, "mail:a1@example.org|arta@example.org|") {
					t.Errorf("MessageID %q SourceID %q", m.MessageID, m.SourceID)
				}
				if m.Channel != inquiry.ChannelEmail || !m.ReceivedAt.Equal(received) {
					t.Errorf("Channel %q ReceivedAt %v", m.Channel, m.ReceivedAt)
				}
				if want := time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC); !m.SentAt.Equal(want) {
					t.Errorf("SentAt = %v, want %v", m.SentAt, want)
				}
				wantAutomation(t, m, inquiry.Human, "")
				if m.SuppressAck || m.NoReplySender || m.ReplyAddress().Address != "arta@example.org" {
					t.Errorf("SuppressAck %v NoReplySender %v ReplyAddress %v", m.SuppressAck, m.NoReplySender, m.ReplyAddress())
				}
			},
		},
		{
			name: "windows-1250 quoted-printable",
			raw: `From: jovan@example.rs
Subject: zahtev
Message-ID: <a2@example.rs>
Content-Type: text/plain; charset="windows-1250"
Content-Transfer-Encoding: quoted-printable

P=EBrsh=EBndetje. Molim kopiju re=9Aenja o finansiranju =E8lanova, =
=9Eupa =F0ak. =EB =E7 =E8 =E6 =9A =9E =F0
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantText(t, m, "Përshëndetje. Molim kopiju rešenja o finansiranju članova, župa đak. "+letters)
			},
		},
		{
			name: "iso-8859-2 quoted-printable",
			raw: `From: jovan@example.rs
Subject: zahtev
Content-Type: text/plain; charset=iso-8859-2
Content-Transfer-Encoding: quoted-printable

Tra=BEim re=B9enje. =EB =E7 =E8 =E6 =B9 =BE =F0
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantText(t, m, "Tražim rešenje. "+letters)
			},
		},
		{
			name: "windows-1251 cyrillic base64",
			raw: `From: djordje@example.rs
Subject: =?windows-1251?B?yu7v6LzgIO7k6/Pq5Q==?=
Content-Type: text/plain; charset=windows-1251
Content-Transfer-Encoding: base64

z+748u7i4O3oLCDy8ODm6Owg6u7v6LzzIO7k6/Pq5SDuIPTo7eDt8ejw4JzzLiCA7vCQ5SCK8+Ho
niwgjOj4LCCO6PDoniwgj+Dq7uLo9uAu
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantText(t, m, "Поштовани, тражим копију одлуке о финансирању. Ђорђе Љубић, Њиш, Ћирић, Џаковица.")
				if m.Subject != "Копија одлуке" {
					t.Errorf("Subject = %q", m.Subject)
				}
			},
		},
		{
			name: "RFC 2047 subjects utf-8 B and windows-1250 Q",
			raw: `From: =?UTF-8?Q?Arta_Krasniqi_=C3=A7?= <arta@example.org>
Subject: =?UTF-8?B?S8Orcmtlc8OrIHDDq3IgZG9rdW1lbnQg4oCTIMOnw6tzaHRqZQ==?=
 =?windows-1250?Q?_=8Ealba=3A_=E6irilica_=F0ak?=

body
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				if want := "Kërkesë për dokument – çështje Žalba: ćirilica đak"; m.Subject != want {
					t.Errorf("Subject = %q, want %q", m.Subject, want)
				}
				if m.From.Name != "Arta Krasniqi ç" {
					t.Errorf("From.Name = %q", m.From.Name)
				}
			},
		},
		{
			name: "HTML only",
			raw: `From: arta@example.org
Subject: html
Content-Type: text/html; charset=utf-8

<html><head><title>Ignored</title><style>p { color: red }</style></head>
<body><p>Përshëndetje <b>zotëri</b>,</p><p>rreshti një<br>rreshti dy</p>
<ul><li>vendimi</li><li>buxheti</li></ul>
<p>Shih <a href="https://example.org/doc">dokumentin</a> dhe <a href="https://example.org/x">https://example.org/x</a>.</p>
<script>alert("no")</script></body></html>
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantText(t, m, "Përshëndetje zotëri,\n\nrreshti një\nrreshti dy\n\n- vendimi\n- buxheti\n\n"+
					"Shih dokumentin (https://example.org/doc) dhe https://example.org/x.")
			},
		},
		{
			name: "multipart/alternative chooses text",
			raw: `From: arta@example.org
Subject: alt
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/html; charset=utf-8

<p>HTML version</p>
--alt
Content-Type: text/plain; charset=utf-8

Plain version
--alt--
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantText(t, m, "Plain version")
				if len(m.Attachments) != 0 {
					t.Errorf("attachments %+v", m.Attachments)
				}
			},
		},
		{
			name: "attachment with RFC 2231 filename",
			raw: `From: arta@example.org
Subject: file
Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: text/plain

See attached.
--b1
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''K%C3%ABrkes%C3%AB%20p%C3%ABr%20dokument.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--b1--
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantText(t, m, "See attached.")
				wantAttachment(t, m, "Kërkesë për dokument.pdf", "application/pdf", []byte("%PDF-1.4\n"))
			},
		},
		{
			name: "attachment name with a directory, escapes and a bidi override",
			raw: `From: arta@example.org
Subject: file
Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: text/plain

See attached.
--b1
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=UTF-8''..%2F..%2Finvoice%E2%80%AEfdp%1B%5D0%3Bx%07%C2%9B2J.exe
Content-Transfer-Encoding: base64

TVo=
--b1--
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantAttachment(t, m, "invoicefdp]0;x2J.exe", "application/octet-stream", []byte("MZ"))
			},
		},
		{
			name: "empty body with attachment has content",
			raw: `From: arta@example.org
Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: text/plain

--b1
Content-Type: image/jpeg; name="scan.jpg"
Content-Transfer-Encoding: base64

/9j/4AAQ
--b1--
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantText(t, m, "")
				wantAttachment(t, m, "scan.jpg", "image/jpeg", []byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10})
				if !m.HasContent() {
					t.Error("HasContent false for a scanned request")
				}
			},
		},
		{
			name: "empty body with subject only",
			raw: `From: arta@example.org
Subject: Kërkoj vendimin nr. 12/2026

`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantText(t, m, "")
				if !m.HasContent() || m.Subject != "Kërkoj vendimin nr. 12/2026" {
					t.Errorf("HasContent %v Subject %q", m.HasContent(), m.Subject)
				}
			},
		},
		{
			name: "no content at all is recorded",
			raw: `From: arta@example.org

`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantProblem(t, m, "no text, subject or attachment")
				if m.HasContent() {
					t.Error("HasContent true")
				}
			},
		},
		{
			name: "unknown charset",
			raw: `From: arta@example.org
Subject: =?x-foo?Q?Hello_there?=
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=x-foo

Readable request text.
--inner
Content-Type: text/html; charset=x-foo

<p>Readable request text.</p>
--inner--
--outer--
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantText(t, m, "Readable request text.")
				wantProblem(t, m, "unknown charset x-foo in part 1.1")
				wantProblem(t, m, "unknown charset x-foo in Subject")
				if m.Subject != "Hello there" {
					t.Errorf("Subject = %q", m.Subject)
				}
			},
		},
		{
			name: "declared utf-8, bytes windows-1250",
			raw: "From: arta@example.org\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\n" +
				"P\xebrsh\xebndetje, dokumenti p\xebr \xe8lanove. \xeb \xe7 \xe8 \xe6 \x9a \x9e \xf0\n",
			check: func(t *testing.T, m *inquiry.Message) {
				wantText(t, m, "Përshëndetje, dokumenti për članove. "+letters)
				wantProblem(t, m, "invalid UTF-8 in part 1 (declared utf-8); decoded as windows-1250")
			},
		},
		{
			name: "declared iso-8859-1, bytes utf-8",
			raw: `From: arta@example.org
Subject: x
Content-Type: text/plain; charset=iso-8859-1

Përshëndetje, ` + letters + `
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantText(t, m, "Përshëndetje, "+letters)
				wantProblem(t, m, "mislabelled charset in part 1: declared iso-8859-1")
			},
		},
		{
			name: "malformed Content-Type keeps charset",
			raw: "From: arta@example.org\nSubject: x\nContent-Type: text/plain; charset=\"windows-1250\n\n" +
				"\x8eupa \xe8lanova\n",
			check: func(t *testing.T, m *inquiry.Message) {
				wantText(t, m, "Župa članova")
				wantProblem(t, m, "malformed Content-Type in part 1")
			},
		},
		{
			name: "missing closing boundary",
			raw: `From: arta@example.org
Subject: cut
Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: text/plain

First part survives.
--b1
Content-Type: application/pdf; name=a.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantText(t, m, "First part survives.")
				wantAttachment(t, m, "a.pdf", "application/pdf", []byte("%PDF-1.4\n"))
				wantProblem(t, m, "missing closing boundary after part 2")
			},
		},
		{
			name: "missing boundary parameter",
			raw: `From: arta@example.org
Subject: nob
Content-Type: multipart/mixed

--XyZ
Content-Type: text/plain

Text behind a forgotten boundary.
--XyZ
Content-Type: image/png; name=p.png
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--XyZ--
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantText(t, m, "Text behind a forgotten boundary.")
				wantAttachment(t, m, "p.png", "image/png", []byte("\x89PNG\r\n\x1a\n"))
				wantProblem(t, m, "multipart/mixed without boundary in message body; boundary guessed")
			},
		},
		{
			name: "multipart with no parts falls back to the body",
			raw: `From: arta@example.org
Subject: broken
Content-Type: multipart/mixed; boundary=nothere

Only a preamble with the real request.
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantText(t, m, "Only a preamble with the real request.")
				wantProblem(t, m, "no parts readable in message body")
			},
		},
		{
			name: "unknown top-level Content-Transfer-Encoding",
			raw: `From: arta@example.org
Subject: enc
Content-Type: text/plain
Content-Transfer-Encoding: x-uuencode

Text kept as sent.
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantText(t, m, "Text kept as sent.")
				wantProblem(t, m, `unknown Content-Transfer-Encoding "x-uuencode" in part 1`)
			},
		},
		{
			name: "raw 8-bit headers",
			raw:  "From: \xd0or\xf0e Petrovi\xe6 <djordje@example.rs>\nSubject: \x8ealba: \xe6irilica \xf0ak\n\nbody\n",
			check: func(t *testing.T, m *inquiry.Message) {
				if m.Subject != "Žalba: ćirilica đak" {
					t.Errorf("Subject = %q", m.Subject)
				}
				if m.From != (inquiry.Address{Name: "Đorđe Petrović", Address: "djordje@example.rs"}) {
					t.Errorf("From = %+v", m.From)
				}
				wantProblem(t, m, "raw 8-bit bytes in Subject header; decoded as windows-1250")
			},
		},
		{
			name: "malformed header line is dropped, the rest kept",
			raw: `From: arta@example.org
Subject: still here
this line is not a header
Message-ID: <a3@example.org>

body text
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantText(t, m, "body text")
				if m.Subject != "still here" || m.MessageID != "a3@example.org" {
					t.Errorf("Subject %q MessageID %q", m.Subject, m.MessageID)
				}
				wantProblem(t, m, "malformed header: 1 line(s) dropped")
			},
		},
		{
			name: "no header at all",
			raw:  "Just a text someone pasted.\nSecond line.\n",
			check: func(t *testing.T, m *inquiry.Message) {
				wantText(t, m, "Just a text someone pasted.\nSecond line.")
				wantProblem(t, m, "no header found")
				if !strings.HasPrefix(m.SourceID, "nomsgid:") {
					t.Errorf("SourceID = %q", m.SourceID)
				}
			},
		},
		{
			name: "huge attachment and raw are capped",
			opts: &Options{MaxAttachmentBytes: 4, MaxRawBytes: 64},
			raw: `From: arta@example.org
Subject: big
Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: application/octet-stream; name=big.bin
Content-Transfer-Encoding: base64

MDEyMzQ1Njc4OQ==
--b1--
`,
			check: func(t *testing.T, m *inquiry.Message) {
				if len(m.Attachments) != 1 {
					t.Fatalf("attachments %+v", m.Attachments)
				}
				a := m.Attachments[0]
				if string(a.Content) != "0123" || a.Size != 10 || !a.Truncated {
					t.Errorf("attachment content %q size %d truncated %v", a.Content, a.Size, a.Truncated)
				}
				if len(m.Raw) != 64 || !m.RawTruncated {
					t.Errorf("raw len %d truncated %v", len(m.Raw), m.RawTruncated)
				}
				wantProblem(t, m, "attachment big.bin of 10 bytes kept only up to 4 bytes")
				wantProblem(t, m, "kept only up to 64 bytes")
			},
		},
		{
			name: "text is capped",
			opts: &Options{MaxTextBytes: 5},
			raw:  "From: a@example.org\n\nëëëëë\n",
			check: func(t *testing.T, m *inquiry.Message) {
				// Never cut inside a character.
				wantText(t, m, "ëë")
				wantProblem(t, m, "text of 10 bytes cut to 4 bytes")
			},
		},
		{
			name: "inline image is an attachment, not text",
			raw: `From: arta@example.org
Subject: img
Content-Type: multipart/related; boundary=r

--r
Content-Type: text/html; charset=utf-8

<p>Photo below</p><img src="cid:i1" alt="">
--r
Content-Type: image/png
Content-Disposition: inline
Content-ID: <i1>
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--r--
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantText(t, m, "Photo below")
				wantAttachment(t, m, "part-2.png", "image/png", []byte("\x89PNG\r\n\x1a\n"))
			},
		},
		{
			name: "forwarded message is an attachment; a person's mail gets no bounce refs",
			raw: `From: arta@example.org
Subject: Fwd: old
Message-ID: <a4@example.org>
Content-Type: multipart/mixed; boundary=f

--f
Content-Type: text/plain

See the forwarded mail.
--f
Content-Type: message/rfc822

From: other@example.org
Message-ID: <old@example.org>
Subject: old

old body
--f--
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				// A bare forward is read with the words it carries.
				wantText(t, m, "See the forwarded mail.\n\n[Mesazhi i bashkëngjitur / Attached message: forwarded-message.eml]\n"+
					"Nga / From: other@example.org\nLënda / Subject: old\n\nold body")
				wantAttachment(t, m, "forwarded-message.eml", "message/rfc822", nil)
				if len(m.References) != 0 {
					t.Errorf("References = %q", m.References)
				}
				wantAutomation(t, m, inquiry.Human, "")
			},
		},
		{
			name: "bounce with message/rfc822",
			raw: `From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: dkp@mkrs-ks.org
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce1@mx.example.org>
Content-Type: multipart/report; report-type=delivery-status; boundary="rep"

--rep
Content-Type: text/plain

The mail could not be delivered.
--rep
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
Final-Recipient: rfc822; nobody@example.org
Action: failed
Status: 5.1.1
--rep
Content-Type: message/rfc822

From: dkp@mkrs-ks.org
To: nobody@example.org
Message-ID: <ack-1@sportel.mkrs-ks.org>
In-Reply-To: <citizen-1@example.org>
References: <citizen-0@example.org> <citizen-1@example.org>
Auto-Submitted: auto-replied
Subject: [DKP-2026-000042] Received

Thank you.
--rep--
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantAutomation(t, m, inquiry.Machine, "delivery report")
				want := []string{"ack-1@sportel.mkrs-ks.org", "citizen-1@example.org", "citizen-0@example.org"}
				if !slices.Equal(m.References, want) {
					t.Errorf("References = %q, want %q", m.References, want)
				}
				wantText(t, m, "The mail could not be delivered.")
				wantAttachment(t, m, "delivery-status.txt", "message/delivery-status", nil)
			},
		},
		{
			name: "bounce with text/rfc822-headers",
			raw: `From: postmaster@example.net
Subject: Delivery Status Notification (Failure)
References: <earlier@example.net>
Content-Type: multipart/report; report-type=delivery-status; boundary=rep

--rep
Content-Type: text/plain

Delivery failed.
--rep
Content-Type: text/rfc822-headers

From: dkp@mkrs-ks.org
Message-ID: <ack-2@sportel.mkrs-ks.org>
Subject: [DKP-2026-000043] Received
--rep--
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantAutomation(t, m, inquiry.Machine, "delivery report")
				want := []string{"earlier@example.net", "ack-2@sportel.mkrs-ks.org"}
				if !slices.Equal(m.References, want) {
					t.Errorf("References = %q, want %q", m.References, want)
				}
				wantAttachment(t, m, "original-headers.txt", "text/rfc822-headers", nil)
			},
		},
		{
			name: "plain-text bounce quoting the original header",
			raw: `From: MAILER-DAEMON@old.example.net
Subject: failure notice

Sorry, I couldn't deliver your message.
--- Below this line is a copy of the message.
Message-ID: <ack-3@sportel.mkrs-ks.org>
Subject: Received
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantAutomation(t, m, inquiry.Machine, "sender MAILER-DAEMON@old.example.net")
				if !slices.Equal(m.References, []string{"ack-3@sportel.mkrs-ks.org"}) {
					t.Errorf("References = %q", m.References)
				}
			},
		},
		{
			name: "out-of-office",
			raw: `From: officer@example.org
Subject: Out of office: Re: [DKP-2026-000042]
In-Reply-To: <ack-4@sportel.mkrs-ks.org>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All

I am away until Monday.
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantAutomation(t, m, inquiry.Machine, "Auto-Submitted: auto-replied")
				if !slices.Equal(m.InReplyTo, []string{"ack-4@sportel.mkrs-ks.org"}) {
					t.Errorf("InReplyTo = %q", m.InReplyTo)
				}
			},
		},
		{
			name: "no-reply sender with Reply-To",
			raw: `From: Web Form <No.Reply@mkrs-ks.org>
Reply-To: Besa Gashi <besa@example.org>
Subject: Contact form

Question from the website.
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantAutomation(t, m, inquiry.Human, "")
				if !m.NoReplySender {
					t.Error("NoReplySender false")
				}
				if got := m.ReplyAddress(); got != (inquiry.Address{Name: "Besa Gashi", Address: "besa@example.org"}) {
					t.Errorf("ReplyAddress = %+v", got)
				}
			},
		},
		{
			name: "no-reply sender without Reply-To",
			raw: `From: do_not_reply@portal.example.org
Subject: Notification

Something happened.
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantAutomation(t, m, inquiry.Human, "")
				if !m.NoReplySender || m.ReplyAddress() != (inquiry.Address{}) {
					t.Errorf("NoReplySender %v ReplyAddress %+v", m.NoReplySender, m.ReplyAddress())
				}
			},
		},
		{
			name: "no From at all",
			raw: `Subject: anonymous

A request without sender.
`,
			check: func(t *testing.T, m *inquiry.Message) {
				wantNoProblems(t, m)
				wantAutomation(t, m, inquiry.Human, "")
				if m.From != (inquiry.Address{}) || m.ReplyAddress() != (inquiry.Address{}) {
					t.Errorf("From %+v", m.From)
				}
			},
		},
		{
			name: "unparseable From is recovered",
			raw: `From: Petrović, Jovan <jovan@example.rs>
Subject: x

y
`,
			check: func(t *testing.T, m *inquiry.Message) {
				if m.From != (inquiry.Address{Name: "Petrović, Jovan", Address: "jovan@example.rs"}) {
					t.Errorf("From = %+v", m.From)
				}
				wantProblem(t, m, "malformed From header; address recovered")
			},
		},
		{
			name: "Message-ID missing: stable source id; the old sha256 one beside it",
			raw: `From: arta@example.org
Subject: no id

text
`,
			check: func(t *testing.T, m *inquiry.Message) {
				sum := sha256.Sum256(m.Raw)
				if want := "sha256:" + hex.EncodeToString(sum[:]); m.LegacySourceID != want || !m.LegacyExact {
					t.Errorf("LegacySourceID = %q (exact %v), want %q, exact", m.LegacySourceID, m.LegacyExact, want)
				}
				if !strings.HasPrefix(m.SourceID, "nomsgid:") {
					t.Errorf("SourceID = %q, want the nomsgid: key", m.SourceID)
				}
				if again := Parse(m.Raw, received.Add(time.Hour), testOpts); again.SourceID != m.SourceID {
					t.Errorf("second parse SourceID %q != %q", again.SourceID, m.SourceID)
				}
			},
		},
		{
			name: "malformed Message-ID is still taken",
			raw: `From: arta@example.org
Message-ID: a5@example.org
In-Reply-To: <x y@example.org> <ack-5@sportel.mkrs-ks.org>

text
`,
			check: func(t *testing.T, m *inquiry.Message) {
				if !strings.HasPrefix(m.SourceID, "mail:a5@example.org|arta@example.org|") {
					t.Errorf("SourceID = %q", m.SourceID)
				}
				if !slices.Contains(m.InReplyTo, "ack-5@sportel.mkrs-ks.org") {
					t.Errorf("InReplyTo = %q", m.InReplyTo)
				}
				wantProblem(t, m, "malformed Message-Id header; ids recovered")
			},
		},
	}
	for _, tc := range tests {
		for ending, raw := range lineEndings(tc.raw) {
			t.Run(tc.name+"/"+ending, func(t *testing.T) {
				opts := testOpts
				if tc.opts != nil {
					opts = *tc.opts
					opts.OwnAddresses, opts.OwnMessageIDDomain = testOpts.OwnAddresses, testOpts.OwnMessageIDDomain
				}
				m := Parse(raw, received, opts)
				if !utf8.ValidString(m.Text) || !utf8.ValidString(m.Subject) {
					t.Errorf("invalid UTF-8: text %q subject %q", m.Text, m.Subject)
				}
				if !m.RawTruncated && !bytes.Equal(m.Raw, raw) {
					t.Error("Raw not kept")
				}
				tc.check(t, m)
			})
		}
	}
}

func TestDeepNestingIsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@example.org\n")
	const levels = maxDepth + 3
	for i := range levels {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\n\ndeep text\n")
	for i := levels - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\n", i)
	}
	m := Parse([]byte(b.String()), received, testOpts)
	wantProblem(t, m, fmt.Sprintf("multipart nested deeper than %d levels", maxDepth))
	if len(m.Attachments) != 1 || !bytes.Contains(m.Attachments[0].Content, []byte("deep text")) {
		t.Errorf("the too-deep subtree is not kept as an attachment: %+v", m.Attachments)
	}
}
