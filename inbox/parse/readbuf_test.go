package parse

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
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
