package parse

import (
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
)

// typicalMail is a citizen's request as mail clients send it: text and HTML
// alternatives in quoted-printable plus a small PDF, about 3 KB.
func typicalMail() []byte {
	para := "P=C3=ABrsh=C3=ABndetje, k=C3=ABrkoj kopjen e vendimit p=C3=ABr financimin e =\nklubeve sportive n=C3=AB vitin 2025 dhe list=C3=ABn e p=C3=ABrfituesve.\n"
	var b strings.Builder
	b.WriteString(`Return-Path: <arta@example.org>
Received: from mx.example.org (mx.example.org [192.0.2.1]) by mail.mkrs-ks.org with ESMTPS id 1
From: Arta Krasniqi <arta@example.org>
To: DKP <dkp@mkrs-ks.org>
Subject: =?UTF-8?Q?K=C3=ABrkes=C3=AB_p=C3=ABr_dokument?=
Date: Mon, 02 Mar 2026 10:15:00 +0100
Message-ID: <bench-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed"

--mixed
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

`)
	b.WriteString(strings.Repeat(para, 6))
	b.WriteString(`
--alt
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<html><body>`)
	b.WriteString(strings.Repeat("<p>"+para+"</p>", 6))
	b.WriteString(`</body></html>
--alt--
--mixed
Content-Type: application/pdf; name="kerkesa.pdf"
Content-Disposition: attachment; filename="kerkesa.pdf"
Content-Transfer-Encoding: base64

`)
	b.WriteString(strings.Repeat("JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\n", 6))
	b.WriteString("--mixed--\n")
	return []byte(strings.ReplaceAll(b.String(), "\n", "\r\n"))
}

func BenchmarkParse(b *testing.B) {
	raw := typicalMail()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		m := Parse(raw, received, testOpts)
		if len(m.Attachments) != 1 || m.Text == "" {
			b.Fatalf("unexpected parse: %d attachments, text %q, problems %q", len(m.Attachments), m.Text, m.ParseProblems)
		}
	}
}

func TestTypicalMail(t *testing.T) {
	raw := typicalMail()
	if len(raw) < 2500 || len(raw) > 3500 {
		t.Fatalf("benchmark mail is %d bytes, want about 3 KB", len(raw))
	}
	m := Parse(raw, received, testOpts)
	wantNoProblems(t, m)
	if !strings.HasPrefix(m.Text, "Përshëndetje, kërkoj kopjen e vendimit për financimin e klubeve") {
		t.Errorf("Text = %q", m.Text)
	}
	wantAttachment(t, m, "kerkesa.pdf", "application/pdf", nil)
}

// BenchmarkMachineSigns is the part of BenchmarkParse that looks for
// machine mail without a standard header, on the same citizen's mail: the
// price every person's message pays.
func BenchmarkMachineSigns(b *testing.B) {
	m := Parse(typicalMail(), received, testOpts)
	p := &parser{opts: testOpts.withDefaults()}
	th, _ := p.readTopHeader(m.Raw)
	h := mail.Header{Header: message.Header{Header: th}}
	f := facts{from: m.From.Address, fromName: m.From.Name, messageID: m.MessageID, subject: m.Subject, text: m.Text}
	b.ReportAllocs()
	for b.Loop() {
		if reason := machineSigns(h, f); reason != "" {
			b.Fatalf("a citizen's mail taken for machine mail: %s", reason)
		}
	}
}
