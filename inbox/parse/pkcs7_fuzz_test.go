package parse

import (
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzOpaqueSigned feeds hostile PKCS#7 blobs to the opaque-signed S/MIME
// path, which hands them to a third-party BER reader: whatever the blob,
// the mail is parsed, never a crash, and its text stays valid.
func FuzzOpaqueSigned(f *testing.F) {
	f.Add(signedData(f, []byte(signedInner), false))
	f.Add(signedData(f, []byte(signedInner), true))
	f.Add(envelopedData(f, []byte(signedInner)))
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x00, 0x00})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, blob []byte) {
		m := Parse(smimeOpaque(t, blob), time.Unix(0, 0), Options{MaxAttachmentBytes: 1 << 16, MaxTextBytes: 4096})
		if m.SourceID == "" {
			t.Fatal("empty SourceID")
		}
		if !utf8.ValidString(m.Text) {
			t.Fatalf("invalid UTF-8 text %q", m.Text)
		}
		if m.Text == "" && m.Unreadable == "" && len(m.Attachments) == 0 {
			t.Fatalf("the blob vanished: no text, no note, no attachment (problems %q)", m.ParseProblems)
		}
	})
}
