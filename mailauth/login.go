package mailauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/emersion/go-sasl"
)

// OAuth logs one mailbox user in with access tokens.
type OAuth struct {
	Mechanism string // XOAUTH2 or OAuthBearer
	Username  string
	Tokens    *Tokens
	// Logger, when set, hears of a refused token replaced by a fresh one
	// (never the token).
	Logger *slog.Logger
}

// RefusedError is a login the server refused with the freshest token
// Sportel could get. It wraps the protocol's error (an *imap.Error, an
// *smtp.SMTPError).
type RefusedError struct {
	Mechanism string
	Username  string
	// Status is the server's error challenge's status, "" when it sent none.
	Status string
	// Refreshed says a second token was fetched and refused too; false
	// when the source gave the same token again.
	Refreshed bool
	Err       error
}

func (e *RefusedError) Error() string { return e.Summary() + ": " + e.Err.Error() }

// Summary is the error without the protocol's own words, for callers that
// print those their own way.
func (e *RefusedError) Summary() string {
	msg := fmt.Sprintf("the server refused the %s token for %s", WireName(e.Mechanism), e.Username)
	if e.Status != "" {
		msg += " (status " + e.Status + ")"
	}
	if e.Refreshed {
		msg += ", also a freshly fetched one"
	} else {
		msg += "; the token source gave no other"
	}
	return msg + "; check that the token source gives a current token, issued for this user, with the mail scope"
}

func (e *RefusedError) Unwrap() error { return e.Err }

// Login authenticates through attempt, which runs one SASL exchange with
// the client it is given (imapclient's Authenticate, smtp's Auth). When
// refused says the server refused the token, Login fetches a fresh one
// once and tries again: a token revoked or expired early is replaced
// without an error. host and port go into OAUTHBEARER's header.
func (o *OAuth) Login(ctx context.Context, host string, port int, attempt func(sasl.Client) error, refused func(error) bool) error {
	if o == nil || o.Tokens == nil {
		return errors.New("mailauth: no token source")
	}
	tok, err := o.Tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("get access token: %w", err)
	}
	c, err := clientFor(o.Mechanism, o.Username, tok, host, port)
	if err != nil {
		return err
	}
	err = attempt(c)
	if err == nil || !refused(err) {
		return err
	}
	fresh, ferr := o.Tokens.Refresh(ctx, tok)
	if ferr != nil {
		return fmt.Errorf("token refused (%w); get a fresh one: %w", err, ferr)
	}
	if fresh == tok {
		return &RefusedError{Mechanism: o.Mechanism, Username: o.Username, Status: status(c), Err: err}
	}
	if o.Logger != nil {
		o.Logger.Info("access token refused; trying a fresh one", "mechanism", WireName(o.Mechanism), "user", o.Username, "status", status(c))
	}
	c, err = clientFor(o.Mechanism, o.Username, fresh, host, port)
	if err != nil {
		return err
	}
	err = attempt(c)
	if err != nil && refused(err) {
		return &RefusedError{Mechanism: o.Mechanism, Username: o.Username, Status: status(c), Refreshed: true, Err: err}
	}
	return err
}

func status(c *Client) string {
	if r := c.Refusal(); r != nil {
		return r.Status
	}
	return ""
}
