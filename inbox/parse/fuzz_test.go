package parse

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		"From: a@example.org\n\nhello\n",
		"From: \xd0or\xf0e <d@example.rs>\nSubject: =?x-foo?Q?a?=\n\n\xe8\n",
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n\n<p>x<br>y\n--b\nContent-Type: message/rfc822\n\nMessage-ID: <m@x>\n\n",
		"Content-Type: multipart/alternative\n\n--q\n\nno end",
		"Content-Type: text/plain; charset=\"windows-1250\nContent-Transfer-Encoding: base64\n\n!!!zz=\n",
		"Content-Type: multipart/report; boundary=r\n\n--r\nContent-Type: text/rfc822-headers\n\nMessage-ID: x@y\n--r--\n",
		"Content-Transfer-Encoding: quoted-printable\n\n=E8=\n=ZZ=",
		"From: a@example.org\rSubject: bare CR\rMessage-ID: <b@x>\r\rtext\r",
		"Subject: =?utf-7?Q?+AOs?=\nContent-Type: text/plain; charset=UTF-7\n\nP+AOs-r a+ b+2D0-c+AOsA\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
		f.Add([]byte(strings.ReplaceAll(s, "\n", "\r\n")))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := Parse(raw, time.Unix(0, 0), Options{OwnAddresses: []string{"dkp@mkrs-ks.org"}, MaxAttachmentBytes: 64, MaxTextBytes: 256})
		if m.SourceID == "" {
			t.Fatal("empty SourceID")
		}
		if !utf8.ValidString(m.Text) || len(m.Text) > 256 {
			t.Fatalf("bad Text %q", m.Text)
		}
		for _, s := range append([]string{m.Subject, m.From.Name, m.AutomationReason}, m.ParseProblems...) {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
		}
		for _, a := range m.Attachments {
			if !utf8.ValidString(a.Name) || a.Name == "" || int64(len(a.Content)) > 64 || a.Size < int64(len(a.Content)) {
				t.Fatalf("bad attachment %+v", a)
			}
		}
	})
}
