package store

import (
	"context"
	"time"
)

// Pruner deletes what Sportel keeps only for a while. Tickets, their
// entries, their jobs and everything the annual report and the legal
// record read are kept for ever; what Prune deletes is the workspace's
// sign-in bookkeeping once it can no longer matter, and the outbox's
// progress notes once their job has ended (README "What is kept"). Every
// rule goes by what a row says, not by which instance wrote it, so a
// second pass, or two instances pruning at once, delete nothing more.
type Pruner interface {
	// Prune deletes, as of now, what is kept no longer (the Keep* periods
	// and ChatPartsStatePrefix), in one transaction, and counts it.
	Prune(ctx context.Context, now time.Time) (Pruned, error)
}

// How long the workspace's sign-in bookkeeping is kept. Each is well past
// the longest time it can decide anything: a sign-in request is limited
// over 15 minutes, a link lives 15 minutes, and a session ends after at
// most 7 days without use (web.session_idle's upper bound) and is never
// used again once it has ended.
const (
	// KeepSignInAttempts keeps an attempt this long after it was made.
	KeepSignInAttempts = 24 * time.Hour
	// KeepSignInLinks keeps a sign-in link this long after it expired.
	KeepSignInLinks = 24 * time.Hour
	// KeepSessions keeps a session this long after its last use (a
	// revoked or expired session is not used again): an administrator
	// looking into a sign-in still finds it for a while; the audit log
	// keeps the sign-ins themselves for ever.
	KeepSessions = 30 * 24 * time.Hour
	// KeepSignInMails keeps a sent sign-in mail (its job, whose text is
	// already only SignInTextSent) this long after it was sent. A sign-in
	// mail that failed is kept for ever, as every failed job is.
	KeepSignInMails = 30 * 24 * time.Hour
)

// ChatPartsStatePrefix, followed by a job's id, is the state key
// (Store.SetState) under which the outbox notes how many parts of a
// Telegram message with files it has sent. The note matters only while
// the job may still be sent: Prune deletes it once the job is done or
// cancelled, and keeps it while the job is pending or failed (a failed
// job sent again goes on from where it stopped).
const ChatPartsStatePrefix = "outbox.chat_parts."

// Pruned counts what one Prune deleted.
type Pruned struct {
	SignInAttempts int
	SignInLinks    int
	Sessions       int
	SignInMails    int
	ChatProgress   int
}

// Total is everything Prune deleted.
func (p Pruned) Total() int {
	return p.SignInAttempts + p.SignInLinks + p.Sessions + p.SignInMails + p.ChatProgress
}
