package mailauthtest

import (
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// IMAPSession is a go-imap session of a mailbox like Microsoft 365's:
// LOGIN with a password is refused, AUTHENTICATE XOAUTH2 or OAUTHBEARER
// checks the token with Tokens and then logs the wrapped session in as
// User with Password (the memory server's own credentials).
type IMAPSession struct {
	imapserver.SessionIMAP4rev2
	Tokens         *Tokens
	User, Password string
}

// Login refuses passwords.
func (s IMAPSession) Login(string, string) error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "LOGIN failed."}
}

// AuthenticateMechanisms offers the two token mechanisms.
func (s IMAPSession) AuthenticateMechanisms() []string { return Mechanisms }

// Authenticate checks the token; a refusal ends as NO [AUTHENTICATIONFAILED].
func (s IMAPSession) Authenticate(mech string) (sasl.Server, error) {
	srv := NewServer(mech, s.Tokens.Verify, func(user string) error {
		if user != s.User {
			return ErrRefused
		}
		return s.SessionIMAP4rev2.Login(s.User, s.Password)
	})
	if srv == nil {
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "SASL mechanism not supported"}
	}
	return refusing{srv, &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "AUTHENTICATE failed."}}, nil
}

// SMTPAuth is a go-smtp AuthSession's Auth for a server that checks
// tokens with tokens; a refusal ends as 535. onSuccess runs with the
// user once the token is accepted.
func SMTPAuth(mech string, tokens *Tokens, onSuccess func(user string) error) (sasl.Server, error) {
	srv := NewServer(mech, tokens.Verify, onSuccess)
	if srv == nil {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return refusing{srv, &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"}}, nil
}

// refusing ends a refused exchange with the protocol's own error.
type refusing struct {
	sasl.Server
	err error
}

func (r refusing) Next(resp []byte) ([]byte, bool, error) {
	c, done, err := r.Server.Next(resp)
	if err != nil {
		err = r.err
	}
	return c, done, err
}
