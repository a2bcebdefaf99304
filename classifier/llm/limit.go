package llm

import (
	"errors"
	"io"
	"net/http"
)

// maxResponseBytes bounds what is read of one response, answer or error
// page. A verdict is about 100 bytes and an error a few hundred; go-openai
// reads whatever comes, so without this an endpoint (or a proxy before it)
// could make one message hold as much memory as it sends within the timeout.
const maxResponseBytes = 1 << 20

// errResponseTooLarge is the read error past maxResponseBytes.
var errResponseTooLarge = errors.New("response over 1 MiB")

// limitTransport cuts every response body at maxResponseBytes.
type limitTransport struct{ base http.RoundTripper }

func (t limitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: maxResponseBytes}
	return resp, nil
}

// limitedBody reads up to left bytes, then fails with errResponseTooLarge as
// soon as one more byte comes (a body of exactly the limit is whole).
type limitedBody struct {
	rc   io.ReadCloser
	left int64 // -1 once the limit was passed
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errResponseTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) <= b.left {
		b.left -= int64(n)
		return n, err
	}
	n, b.left = int(b.left), -1
	return n, errResponseTooLarge
}

func (b *limitedBody) Close() error { return b.rc.Close() }
