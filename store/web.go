package store

import (
	"context"
	"time"
)

// Web is what the officers' web workspace keeps: sessions, one-time
// sign-in links, sign-in attempts (for the rate limits) and its audit log.
// Everything lives in the store, so a restart or a second instance sees
// the same sessions and limits. Tokens are never stored, only their
// SHA-256 (hex), so a copy of the database signs nobody in.
type Web interface {
	// AddSignInLink records a one-time link for officerID, valid until
	// expires.
	AddSignInLink(ctx context.Context, tokenHash, officerID string, created, expires time.Time) error
	// UseSignInLink consumes the link with tokenHash: it returns its
	// officer and true only when the link exists, was never used and has
	// not expired at now, and marks it used in the same statement, so two
	// requests with one link never both succeed.
	UseSignInLink(ctx context.Context, tokenHash string, now time.Time) (officerID string, ok bool, err error)

	// AllowSignInAttempt counts an attempt under each of keys (an address,
	// a client IP) at now, unless one of them already has limit attempts
	// since now-window: then it records nothing and reports false. It is
	// atomic, so concurrent attempts cannot pass the limit together.
	AllowSignInAttempt(ctx context.Context, keys []string, now time.Time, window time.Duration, limit int) (bool, error)

	// CreateSession stores s and sets s.ID.
	CreateSession(ctx context.Context, s *WebSession) error
	// TouchSession returns the session with tokenHash when it is live at
	// now under limits (not revoked, not idle for longer than limits.Idle,
	// not older than limits.Max), and records now as its last use.
	TouchSession(ctx context.Context, tokenHash string, now time.Time, limits SessionLimits) (WebSession, bool, error)
	// SetSessionLanguage records the workspace language a session chose.
	SetSessionLanguage(ctx context.Context, id int64, lang string) error
	// ListSessions returns the sessions live at now under limits, newest
	// first.
	ListSessions(ctx context.Context, now time.Time, limits SessionLimits) ([]WebSession, error)
	// RevokeSession ends session id at now; false when there is no such
	// live session.
	RevokeSession(ctx context.Context, id int64, now time.Time) (bool, error)
	// RevokeOfficerSessions ends every session of officerID at now and
	// returns how many it ended.
	RevokeOfficerSessions(ctx context.Context, officerID string, now time.Time) (int, error)

	// AddAudit appends to the web audit log and sets e.ID.
	AddAudit(ctx context.Context, e *AuditEntry) error
	// Audit returns the newest limit audit entries (0: all), newest first.
	Audit(ctx context.Context, limit int) ([]AuditEntry, error)
}

// SessionLimits say how long a web session lives.
type SessionLimits struct {
	// Idle ends a session unused for this long.
	Idle time.Duration
	// Max ends a session this long after sign-in however much it is used
	// (0: no limit), so a stolen cookie kept busy still dies.
	Max time.Duration
}

// OldestStart is the earliest sign-in still live at now; false when
// sessions have no maximum age.
func (l SessionLimits) OldestStart(now time.Time) (time.Time, bool) {
	if l.Max <= 0 {
		return time.Time{}, false
	}
	return now.Add(-l.Max), true
}

// WebSession is a signed-in officer's session.
type WebSession struct {
	ID        int64
	TokenHash string
	OfficerID string
	// Language is the workspace language chosen ("" : the default).
	Language  string
	ClientIP  string
	CreatedAt time.Time
	LastSeen  time.Time
}

// AuditEntry is one thing done through the web workspace.
type AuditEntry struct {
	ID        int64
	OfficerID string
	// Action names what was done ("signin", "answer", "close", ...).
	Action string
	// Ticket is the ticket's number, "" when the action concerns none.
	Ticket string
	// Detail is a short description (the outcome, the officer assigned).
	Detail string
	At     time.Time
}

// SignInTextSent is what a sign-in mail's text becomes in the store once it
// is sent (FinishJobs): the one-time link must not outlive its sending in
// the database or its backups. No quote characters: it is spliced into SQL.
const SignInTextSent = "(sent; the one-time sign-in link is not kept)"
