package parse

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/mailgen"
)

// TestAttachmentsAsParse holds Attachments to Parse: the same files, in the
// same order, with the same content, for the corpus, realistic generated
// mail and a few shapes where text and files meet.
func TestAttachmentsAsParse(t *testing.T) {
	mails := map[string][]byte{
		"text part marked as a file": []byte("From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPërshëndetje\r\n" +
			"--b\r\nContent-Type: text/plain; name=shenime.txt\r\nContent-Disposition: attachment; filename=shenime.txt\r\n\r\nshënime\r\n" +
			"--b\r\nContent-Type: text/html\r\nContent-Disposition: attachment\r\n\r\n<p>faqe</p>\r\n--b--\r\n"),
		"inline image in alternative": []byte("From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\ntekst\r\n" +
			"--a\r\nContent-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n<img src=cid:x>\r\n" +
			"--r\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <x>\r\n\r\niVBORw0KGgo=\r\n--r--\r\n--a--\r\n"),
		"forwarded message": []byte("From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nshih më poshtë\r\n" +
			"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: b@example.org\r\nSubject: y\r\n\r\ntrupi\r\n--b--\r\n"),
		"no multipart": []byte("From: a@example.org\r\nSubject: x\r\n\r\nvetëm tekst\r\n"),
	}
	for _, dir := range []string{machineCorpus, humanCorpus} {
		for _, f := range corpusFiles(t, dir) {
			raw, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			mails[dir+"/"+f] = raw
		}
	}
	g := mailgen.New(rand.New(rand.NewPCG(3, 4)), "dkp@mkrs.example", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	withFiles := 0
	for i := range 300 {
		m := g.Next()
		if len(Parse(m.Raw, time.Time{}, Options{}).Attachments) > 0 {
			withFiles++
		}
		mails["generated/"+string(rune('a'+i%26))+string(rune('0'+i/26))] = m.Raw
	}
	if withFiles == 0 {
		t.Fatal("no generated mail has a file: the comparison proves little")
	}
	for name, raw := range mails {
		t.Run(name, func(t *testing.T) {
			for _, opts := range []Options{{}, {MaxAttachmentBytes: 16}} {
				want := Parse(raw, time.Time{}, opts).Attachments
				got := Attachments(raw, opts)
				if !sameAttachments(got, want) {
					t.Errorf("opts %+v: Attachments = %s, Parse gives %s", opts, describeAtts(got), describeAtts(want))
				}
			}
		})
	}
}

func sameAttachments(a, b []inquiry.Attachment) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || x.ContentType != y.ContentType || x.Size != y.Size || x.Truncated != y.Truncated ||
			!bytes.Equal(x.Content, y.Content) {
			return false
		}
	}
	return true
}

func describeAtts(atts []inquiry.Attachment) string {
	var b bytes.Buffer
	for _, a := range atts {
		b.WriteString(a.Name + " " + a.ContentType + "; ")
	}
	return "[" + b.String() + "]"
}

// A text file keeps its charset in its type: the outbox sends a file in a
// charset other than UTF-8 as application/octet-stream, and one without
// the label would reach the officer as ASCII.
func TestTextAttachmentKeepsItsCharset(t *testing.T) {
	tests := []struct{ contentType, want string }{
		{"text/plain; charset=windows-1250", "text/plain; charset=windows-1250"},
		{"text/plain; charset=\"UTF-8\"; format=flowed", "text/plain; charset=utf-8"},
		{"text/csv; charset=ISO-8859-2", "text/csv; charset=iso-8859-2"},
		{"text/plain", "text/plain"},
		{"application/pdf; charset=utf-8", "application/pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			raw := "From: Đorđe <djordje@example.org>\r\nTo: komunikimi@mkrs.example\r\nSubject: Spisak\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSpisak u prilogu.\r\n" +
				"--b\r\nContent-Type: " + tt.contentType + "\r\nContent-Disposition: attachment; filename=spisak.txt\r\n" +
				"Content-Transfer-Encoding: 8bit\r\n\r\n\x8aabac, \xe8i\x9ai\xe6\r\n--b--\r\n"
			atts := Attachments([]byte(raw), Options{})
			if len(atts) != 1 || atts[0].ContentType != tt.want {
				t.Fatalf("attachments %+v, want one of type %q", atts, tt.want)
			}
		})
	}
}
