package llm

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
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
	if hint, ok := r.Context().Value(retryHintKey{}).(*retryHint); ok {
		// go-openai's errors carry no headers; RoundTrip runs on the
		// caller's goroutine, so the attempt reads this after the call.
		hint.after = retryAfter(resp, time.Now())
	}
	return resp, nil
}

// retryHint is where the transport leaves, for one attempt, how long a 429
// or 503 asked the client to wait before the next request.
type retryHint struct{ after time.Duration }

type retryHintKey struct{}

func withRetryHint(ctx context.Context) (context.Context, *retryHint) {
	hint := &retryHint{}
	return context.WithValue(ctx, retryHintKey{}, hint), hint
}

// retryAfter reads Retry-After (seconds or an HTTP date) of a 429 or 503;
// 0 when there is none or it cannot be read.
func retryAfter(resp *http.Response, now time.Time) time.Duration {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
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
