package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptrace"
	"sync"

	"sportel/internal/noreturn"
)

// errCalledOff is a request its send's point of no return called off
// (the hook said no once the request was written).
var errCalledOff = errors.New("the send was called off at its point of no return")

// sendNoReturn is one chat send's point of no return (noreturn.Hook, set
// by the outbox): the hook is asked once a sendMessage request of the send
// has been written, since from then Telegram may deliver the message
// whatever becomes of the connection, and a cut would only make the job's
// retry a second copy in the chat. Once the hook has said yes the outbox
// no longer cuts the send off, so the request, and the parts of a split
// text after it, finish on the send's context, bounded by the bot's HTTP
// client timeout and the context's deadline; a cut before the request is
// written cancels it as any cancelled context does, and nothing is sent.
//
// go-telegram/bot builds each request with the caller's context
// (raw_request.go: http.NewRequestWithContext), so an httptrace on it
// reaches the HTTP transport. WroteRequest is the first moment the
// request is known to be whole: a cut that lands between its last bytes
// leaving and the hook being asked (microseconds) still cancels a request
// Telegram may have taken in, as every cut did before the hook.
type sendNoReturn struct {
	commit func() bool

	mu    sync.Mutex
	asked bool
	past  bool
}

// newSendNoReturn returns ctx's point of no return for one send; without
// a hook in ctx its requests run on ctx as they are.
func newSendNoReturn(ctx context.Context) *sendNoReturn {
	return &sendNoReturn{commit: noreturn.Hook(ctx)}
}

// request returns the context for one Bot API request of the send, and
// done, which ends it once the request returned. err tells a request the
// hook called off by its cause.
func (n *sendNoReturn) request(ctx context.Context) (reqCtx context.Context, done func(err error) error) {
	if n.commit == nil {
		return ctx, func(err error) error { return err }
	}
	reqCtx, cancel := context.WithCancelCause(ctx)
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		// Called on the transport's goroutine; a write that failed sent
		// no whole request, so nothing is past.
		if info.Err == nil && !n.pass() {
			cancel(errCalledOff)
		}
	}}
	return httptrace.WithClientTrace(reqCtx, trace), func(err error) error {
		if err != nil && errors.Is(context.Cause(reqCtx), errCalledOff) {
			err = fmt.Errorf("%w: %w", errCalledOff, err)
		}
		cancel(nil)
		return err
	}
}

// pass asks the hook, the first time only (it is asked at most once per
// send), and reports its answer.
func (n *sendNoReturn) pass() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.asked {
		n.asked = true
		n.past = n.commit()
	}
	return n.past
}
