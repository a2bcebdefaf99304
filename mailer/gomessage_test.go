package mailer

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"
)

// Render writes header fields as go-message wrote them before render
// appended them itself; this compares the two on the shapes that matter:
// folding points, lines that fill up, values without white space.

func randomText(r *rand.Rand, pieces []string, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// goMessageField is the field k: v as go-message's WriteHeader writes it.
func goMessageField(t *testing.T, k, v string) []byte {
	t.Helper()
	var h textproto.Header
	h.Add(k, v)
	var buf bytes.Buffer
	if err := textproto.WriteHeader(&buf, h); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\r\n")) // the header's end
}

func TestAppendFieldFoldsAsGoMessage(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pieces := []string{"a", "word", " ", " ", "\t", "  ", "=?utf-8?q?K=C3=ABrkes=C3=AB?=", "ë", strings.Repeat("x", 70), strings.Repeat("y", 1000)}
	values := []string{"", " ", "x", strings.Repeat("x", 76), strings.Repeat("x", 2000), " " + strings.Repeat("x", 80), strings.Repeat("x", 66) + " y"}
	for range 3000 {
		values = append(values, randomText(r, pieces, r.IntN(60)))
	}
	for _, k := range []string{"To", "Subject", "X-Sportel-Ticket", "X-K" + strings.Repeat("k", 70)} { // the longest name validate lets through {
		for _, v := range values {
			want := goMessageField(t, k, v)
			prefix := []byte("kept\r\n")
			got := appendField(bytes.Clone(prefix), k, v)
			if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
				t.Fatalf("%s: %q: got\n%q\nwant\n%q", k, v, head(got[len(prefix):]), head(want))
			}
		}
	}
}

// appendQuotedPrintable keeps what buf held and never writes more than
// quotedPrintableMax, which renderedSize counts on to allocate a mail's
// buffer once: Cyrillic text triples, and lines that fill up add soft
// breaks.
func TestQuotedPrintableMax(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pieces := []string{"a", "Z", " ", "\t", "\n", "\r", "\r\n", "=", ".", "~", "ë", "ж", "\x00", "\xff", "\x7f", "word ", " \n", "\t\n"}
	texts := []string{"", " ", "\n", "\r", "\r\n", "a \n", strings.Repeat("x", 75), strings.Repeat("x", 76), strings.Repeat("x", 74) + " ",
		strings.Repeat("x", 73) + "ë", strings.Repeat("ж", 200), strings.Repeat("=", 200), strings.Repeat("x", 75) + "\n", "\r\x00\n"}
	for range 3000 {
		texts = append(texts, randomText(r, pieces, r.IntN(300)))
	}
	for _, s := range texts {
		prefix := []byte("kept\r\n")
		got := appendQuotedPrintable(bytes.Clone(prefix), s)
		if !bytes.HasPrefix(got, prefix) {
			t.Fatalf("%q: what the buffer held was overwritten: %q", s, head(got))
		}
		if n := len(got) - len(prefix); n > quotedPrintableMax(len(s)) {
			t.Fatalf("%q: %d characters, more than quotedPrintableMax's %d", s, n, quotedPrintableMax(len(s)))
		}
	}
}
