package web

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// LinkStore keeps one-time sign-in links.
type LinkStore interface {
	AddSignInLink(ctx context.Context, tokenHash, officerID string, created, expires time.Time) error
}

// Linker issues one-time sign-in links: the sign-in form mails them, the
// Telegram bot sends them on /login, the demo prints one.
type Linker struct {
	Store   LinkStore
	BaseURL string
	Now     func() time.Time
}

// NewLink stores a link for officerID, valid for LinkValidity and once,
// and returns it with its expiry.
func (l *Linker) NewLink(ctx context.Context, officerID string) (string, time.Time, error) {
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	tok := newToken()
	expires := now.Add(LinkValidity)
	if err := l.Store.AddSignInLink(ctx, hashToken(tok), officerID, now, expires); err != nil {
		return "", time.Time{}, fmt.Errorf("new sign-in link for %s: %w", officerID, err)
	}
	return l.BaseURL + "/signin/link?t=" + url.QueryEscape(tok), expires, nil
}
