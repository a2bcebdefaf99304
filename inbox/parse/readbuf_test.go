package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// readAll is io.ReadAll through a lent buffer.
func readAll(r io.Reader) ([]byte, error) {
	return readWith(r, func(b []byte, _ error) []byte { return bytes.Clone(b) })
}

// TestReadAllAsIOReadAll: reading through a lent buffer gives what
// io.ReadAll gives, for every size around the buffer's growth steps and
// however the reader hands out its bytes, and a buffer lent again never
// shows through in an earlier result.
func TestReadAllAsIOReadAll(t *testing.T) {
	failure := errors.New("connection reset")
	rng := rand.New(rand.NewPCG(1, 2))
	var kept [][]byte
	var want [][]byte
	for _, size := range []int{0, 1, 4095, 4096, 4097, 8192, 70_000, maxPooledScratch + 1, 300_000} {
		content := make([]byte, size)
		for i := range content {
			content[i] = byte(rng.UintN(256))
		}
		for _, wrap := range []struct {
			name string
			r    func(io.Reader) io.Reader
		}{
			{"whole", func(r io.Reader) io.Reader { return r }},
			{"a byte at a time", iotest.OneByteReader},
			{"half reads", iotest.HalfReader},
			{"data with EOF", iotest.DataErrReader},
		} {
			got, err := readAll(wrap.r(bytes.NewReader(content)))
			if err != nil || !bytes.Equal(got, content) {
				t.Fatalf("%d bytes, %s: read %d bytes, %v", size, wrap.name, len(got), err)
			}
			kept, want = append(kept, got), append(want, content)
		}
		// A reader that fails midway: what came before the failure, and
		// the failure, as io.ReadAll.
		broken := io.MultiReader(bytes.NewReader(content), iotest.ErrReader(failure))
		var seen error
		got, err := readWith(broken, func(b []byte, err error) []byte { seen = err; return bytes.Clone(b) })
		if !errors.Is(err, failure) || !errors.Is(seen, failure) || !bytes.Equal(got, content) {
			t.Fatalf("%d bytes then a failure: read %d bytes, %v (%v to its user)", size, len(got), err, seen)
		}
	}
	for i := range kept {
		if !bytes.Equal(kept[i], want[i]) {
			t.Fatalf("result %d changed after later reads", i)
		}
	}
}

// What a parse keeps of a part read into a lent buffer is its own: parts
// kept as they came (7bit, 8bit, binary, an unknown encoding), a forwarded
// mail and multiparts nested too deep are copied out, so the next mails
// read into the same buffers leave every result as it was.
func TestKeptPartsOutliveTheirBuffer(t *testing.T) {
	file := func(fill byte) string {
		return strings.Repeat(strings.Repeat(string(fill), 60)+"\r\n", 100)
	}
	head := func(fill byte) string {
		return "From: a@example.org\r\nTo: dkp@example.org\r\nSubject: s " + string(fill) + "\r\n" +
			"Message-ID: <" + string(fill) + "@example.org>\r\nMIME-Version: 1.0\r\n"
	}
	withFile := func(enc string) func(byte) string {
		return func(fill byte) string {
			return head(fill) + "Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKërkoj dokumentin " + string(fill) + ".\r\n" +
				"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"f.bin\"\r\n" +
				"Content-Transfer-Encoding: " + enc + "\r\n\r\n" + file(fill) + "--b--\r\n"
		}
	}
	shapes := []struct {
		name string
		mail func(fill byte) string
	}{
		{"7bit file", withFile("7bit")},
		{"8bit file", withFile("8bit")},
		{"binary file", withFile("binary")},
		{"unknown encoding", withFile("x-unknown")},
		{"forwarded mail", func(fill byte) string {
			return head(fill) + "Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n" +
				"--b\r\nContent-Type: message/rfc822\r\n\r\n" + withFile("7bit")(fill) + "\r\n--b--\r\n"
		}},
		{"nested too deep", func(fill byte) string {
			m := head(fill)
			for i := range maxDepth + 1 {
				m += fmt.Sprintf("Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
			}
			return m + "Content-Type: text/plain\r\n\r\n" + file(fill)
		}},
	}
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			first := Parse([]byte(sh.mail('a')), at, Options{})
			snapshot := func() string {
				b, err := json.Marshal(first)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			want := snapshot()
			for fill := byte('b'); fill < 'k'; fill++ {
				Parse([]byte(sh.mail(fill)), at, Options{})
			}
			if got := snapshot(); got != want {
				t.Errorf("the first mail's result changed after later parses:\n%s\nwant\n%s", got, want)
			}
		})
	}
}
