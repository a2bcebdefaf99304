// Package mailauthtest is the server side of XOAUTH2 and OAUTHBEARER for
// tests: the IMAP and SMTP servers the tests start check tokens with it.
package mailauthtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"github.com/emersion/go-sasl"
)

// Verify accepts or refuses a user's token.
type Verify func(user, token string) error

// Mechanisms are the SASL names the servers offer.
var Mechanisms = []string{"XOAUTH2", sasl.OAuthBearer}

// NewServer returns the SASL server for mech ("XOAUTH2" or
// "OAUTHBEARER"), nil for another mechanism. onSuccess runs with the user
// after an accepted token.
func NewServer(mech string, verify Verify, onSuccess func(user string) error) sasl.Server {
	switch strings.ToUpper(mech) {
	case "XOAUTH2":
		return &xoauth2Server{verify: verify, onSuccess: onSuccess}
	case sasl.OAuthBearer:
		return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if err := verify(o.Username, o.Token); err != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer"}
			}
			if onSuccess != nil && onSuccess(o.Username) != nil {
				return &sasl.OAuthBearerError{Status: "invalid_request", Schemes: "bearer"}
			}
			return nil
		})
	}
	return nil
}

// ErrRefused is the final error of a refused XOAUTH2 exchange.
var ErrRefused = errors.New("invalid credentials")

// xoauth2Server answers like Google: a refused token gets a JSON error
// challenge, and the client's empty answer ends the exchange with an error.
type xoauth2Server struct {
	verify    Verify
	onSuccess func(string) error
	refused   bool
}

func (s *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if s.refused {
		return nil, true, ErrRefused
	}
	if resp == nil {
		return []byte{}, false, nil
	}
	var user, token string
	for _, f := range bytes.Split(resp, []byte{0x01}) {
		switch {
		case bytes.HasPrefix(f, []byte("user=")):
			user = string(f[len("user="):])
		case bytes.HasPrefix(f, []byte("auth=Bearer ")):
			token = string(f[len("auth=Bearer "):])
		}
	}
	if user == "" || token == "" {
		return nil, true, errors.New("malformed XOAUTH2 response")
	}
	if err := s.verify(user, token); err != nil {
		s.refused = true
		challenge, _ := json.Marshal(map[string]string{"status": "401", "schemes": "Bearer", "scope": "https://mail.google.com/"})
		return challenge, false, nil
	}
	if s.onSuccess != nil {
		if err := s.onSuccess(user); err != nil {
			return nil, true, err
		}
	}
	return nil, true, nil
}

// Tokens is a server's view of valid tokens: which token each user may
// log in with now, and what was tried.
type Tokens struct {
	mu    sync.Mutex
	valid map[string]string
	tried []string
}

// NewTokens returns an empty token table.
func NewTokens() *Tokens { return &Tokens{valid: map[string]string{}} }

// Set makes token the one valid token of user.
func (t *Tokens) Set(user, token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.valid[user] = token
}

// Verify is a Verify for the table.
func (t *Tokens) Verify(user, token string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tried = append(t.tried, token)
	if v, ok := t.valid[user]; !ok || v != token {
		return ErrRefused
	}
	return nil
}

// Tried returns the tokens presented so far, in order.
func (t *Tokens) Tried() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.tried...)
}
