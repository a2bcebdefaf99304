package mailer

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"net/textproto"
	"testing"

	"sportel/inquiry"
)

// dotWriterBytes is what go-smtp's DATA writer sends for msg, end included.
func dotWriterBytes(t testing.TB, msg []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	w := textproto.NewWriter(bw).DotWriter()
	if _, err := w.Write(msg); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lineEdgeCases are the messages whose line breaks, dots and endings a DATA
// transaction changes or keeps.
// randomLineBytes is n short messages of the bytes that matter to line
// ends and dot-stuffing, from seed.
func randomLineBytes(seed uint64, n int) [][]byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	alphabet := []byte("\r\n.ab")
	msgs := make([][]byte, n)
	for k := range msgs {
		msgs[k] = make([]byte, r.IntN(24))
		for i := range msgs[k] {
			msgs[k][i] = alphabet[r.IntN(len(alphabet))]
		}
	}
	return msgs
}

var lineEdgeCases = []string{
	"",
	"a",
	".",
	"..",
	"\r",
	"\n",
	"\r\n",
	"\r\r",
	"\r\r\n",
	"\r\r\r\n",
	"\n\n",
	".\r\n.\r\n",
	"Subject: x\r\n\r\nbody\r\n",
	"Subject: x\r\n\r\n.leading dot\r\n..two\r\n.\r\nlast",
	"bare\nline feeds\n.dot after LF\n",
	"cr\rthen.dot\r.\r\n",
	"ends in cr\r",
	"ends in two cr\r\r",
	"\r.\n.\r",
	"text\r\n.",
}

// The mailer writes the message data as go-smtp's DATA writer would, byte
// for byte: the same bytes on the wire.
func TestWireDataMatchesDotWriter(t *testing.T) {
	check := func(msg []byte) {
		t.Helper()
		want := dotWriterBytes(t, msg)
		got := wireData(bytes.Clone(msg))
		if !bytes.Equal(got, want) {
			t.Errorf("message %q:\n got %q\nwant %q", msg, got, want)
		}
	}
	for _, msg := range lineEdgeCases {
		check([]byte(msg))
	}
	for _, msg := range randomLineBytes(1, 20000) {
		check(msg)
	}
	// What Render writes.
	dotLine := sampleMail()
	dotLine.Text = "Line one.\n.\n..and a line that starts with dots\n"
	dotLine.Attachments = []inquiry.Attachment{{Name: "a.txt", ContentType: "text/plain", Content: []byte(".\n")}}
	for _, m := range []*inquiry.Mail{sampleMail(), dotLine} {
		raw, err := Render(m, "")
		if err != nil {
			t.Fatal(err)
		}
		check(raw)
	}
}

// A message that Render leaves unchanged on the wire is not copied: Render
// leaves room for the end.
func TestWireDataDoesNotCopy(t *testing.T) {
	raw, err := Render(sampleMail(), "")
	if err != nil {
		t.Fatal(err)
	}
	if p := wireData(raw); &p[0] != &raw[0] {
		t.Error("wireData copied a message it does not change")
	}
}
