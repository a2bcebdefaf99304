// Package noreturn carries a send's point of no return from the one that
// may cut the send off (the outbox, when the send's lease goes
// unconfirmed) to the transport that knows when a cut stops helping: the
// mailer, about to write the end of a mail, and the Telegram bot, once a
// request to send a message has been written. Before that point a send
// cut off leaves nothing at the server; after it the server may have the
// whole message whatever becomes of the connection, so a cut saves
// nothing and only leaves the caller not knowing whether it went, which
// makes a retry a second copy.
//
// Neither transport imports the other, nor the outbox: the hook travels
// in the send's context.
package noreturn

import "context"

// key is the context key of With's hook.
type key struct{}

// With returns ctx with commit, which a transport calls, at most once per
// send, at the send's point of no return. commit returning false calls
// the send off there (the transport fails it, temporarily, and should see
// to it that nothing is taken in); returning true, the caller should let
// the send finish, bounded by the transport's own timeout. A caller that
// cancels ctx itself should decide that under the same lock as commit, so
// the two cannot cross: once commit has returned true, ctx is not
// cancelled for the send's sake any more (its deadline still holds).
func With(ctx context.Context, commit func() bool) context.Context {
	return context.WithValue(ctx, key{}, commit)
}

// Hook is ctx's With hook, or nil.
func Hook(ctx context.Context) func() bool {
	commit, _ := ctx.Value(key{}).(func() bool)
	return commit
}
