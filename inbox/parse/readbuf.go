package parse

import (
	"io"
	"sync"
)

// scratchPool lends the buffers parts are read into. io.ReadAll grows a new
// slice in steps and the runtime zeroes each step, so a part cost about
// twice its size in allocation and clearing (a sixth of parsing realistic
// mail); read into a lent buffer, it costs one exact copy, or none when
// what is kept is decoded from it.
var scratchPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledScratch bounds the buffers kept for reuse.
const maxPooledScratch = 1 << 20

// readWith reads r to its end into a lent buffer and returns use's result
// on what was read and the error that ended the reading, if not EOF (given
// to use as well); use must not keep its buffer.
func readWith[T any](r io.Reader, use func([]byte, error) T) (T, error) {
	bp := scratchPool.Get().(*[]byte)
	b := (*bp)[:0]
	if cap(b) < 4096 {
		b = make([]byte, 0, 4096)
	}
	var err error
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		var n int
		n, err = r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			break
		}
	}
	out := use(b, err)
	if cap(b) <= maxPooledScratch {
		*bp = b[:0]
		scratchPool.Put(bp)
	}
	return out, err
}
