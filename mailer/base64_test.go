package mailer

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/emersion/go-message"
)

// goMessageBase64 is the body go-message writes for content in a base64
// entity: what Render wrote through go-message before it encoded
// attachments itself.
func goMessageBase64(t *testing.T, content []byte) []byte {
	t.Helper()
	var h message.Header
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Transfer-Encoding", "base64")
	var buf bytes.Buffer
	w, err := message.CreateWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	headerLen := buf.Len()
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()[headerLen:]
}

// Render encodes attachments as go-message would, byte for byte, and the
// go-message writer it closes unwritten adds nothing.
func TestAppendBase64LinesMatchesGoMessage(t *testing.T) {
	if got := goMessageBase64(t, nil); len(got) != 0 {
		t.Fatalf("a go-message base64 writer closed unwritten writes %q, want nothing", got)
	}
	r := rand.New(rand.NewPCG(3, 4))
	var sizes []int
	for n := range 400 {
		sizes = append(sizes, n)
	}
	sizes = append(sizes, 57*100, 57*100+1, 57*100-1, 1024, 1025, 3*1024+7, 200_000)
	for _, n := range sizes {
		content := make([]byte, n)
		for i := range content {
			content[i] = byte(r.UintN(256))
		}
		want := goMessageBase64(t, content)
		prefix := []byte("kept\r\n")
		got := appendBase64Lines(bytes.Clone(prefix), content)
		if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
			t.Fatalf("%d bytes: got %q\nwant %q", n, head(got[len(prefix):]), head(want))
		}
	}
}
