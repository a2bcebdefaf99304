// Package mailauth logs Sportel in to mailboxes that refuse passwords
// (Microsoft 365, Google): SASL XOAUTH2 and OAUTHBEARER clients, access
// tokens read from a file or printed by a command and kept until shortly
// before they expire, and one login that takes a fresh token once when the
// server refuses the one it had.
package mailauth

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/emersion/go-sasl"
)

// Mechanisms as written in the configuration (imap.auth, smtp.auth).
const (
	Password    = "password"
	XOAUTH2     = "xoauth2"
	OAuthBearer = "oauthbearer"
)

// SASL mechanism names on the wire.
const (
	mechXOAUTH2     = "XOAUTH2"
	mechOAuthBearer = "OAUTHBEARER"
)

// ServerError is what the server said when it refused a token: both
// mechanisms answer a refusal with a JSON challenge before the final NO or
// 535, and its status ("invalid_token", "401") is the clearest word on why.
type ServerError struct {
	Status string `json:"status"`
	Scope  string `json:"scope,omitempty"`
}

// Client is a SASL client for one login with one token. After a refused
// login, Refusal holds what the server's error challenge said, if it sent
// one.
type Client struct {
	mech    string
	initial []byte
	refusal *ServerError
}

var _ sasl.Client = (*Client)(nil)

// NewXOAUTH2Client returns the client for Google's and Microsoft's XOAUTH2
// (https://developers.google.com/gmail/imap/xoauth2-protocol).
func NewXOAUTH2Client(username, token string) *Client {
	return &Client{
		mech:    mechXOAUTH2,
		initial: []byte("user=" + username + "\x01auth=Bearer " + token + "\x01\x01"),
	}
}

// NewOAuthBearerClient returns the client for OAUTHBEARER (RFC 7628).
// host and port are the server's, as the RFC asks; either may be empty or
// zero.
func NewOAuthBearerClient(username, token, host string, port int) *Client {
	var b strings.Builder
	// The GS2 header names the user as the authorisation identity; a comma
	// or an equals sign in it must be escaped (RFC 5801).
	b.WriteString("n,")
	if username != "" {
		b.WriteString("a=" + strings.NewReplacer("=", "=3D", ",", "=2C").Replace(username))
	}
	b.WriteString(",")
	if host != "" {
		b.WriteString("\x01host=" + host)
	}
	if port != 0 {
		b.WriteString("\x01port=" + strconv.Itoa(port))
	}
	b.WriteString("\x01auth=Bearer " + token + "\x01\x01")
	return &Client{mech: mechOAuthBearer, initial: []byte(b.String())}
}

// Start sends the token as the initial response.
func (c *Client) Start() (string, []byte, error) {
	return c.mech, c.initial, nil
}

// Next answers the only challenge either mechanism sends: the server's
// error in JSON. It keeps it and answers as the mechanism requires (an
// empty response for XOAUTH2, %x01 for OAUTHBEARER), so the server ends the
// exchange with its refusal. Returning an error here instead would leave an
// IMAP connection in the middle of AUTHENTICATE.
func (c *Client) Next(challenge []byte) ([]byte, error) {
	var se ServerError
	if err := json.Unmarshal(challenge, &se); err == nil {
		c.refusal = &se
	} else {
		c.refusal = &ServerError{Status: "unreadable challenge"}
	}
	if c.mech == mechOAuthBearer {
		return []byte{0x01}, nil
	}
	return []byte{}, nil
}

// Refusal is the server's error challenge of the last exchange, nil when
// it sent none.
func (c *Client) Refusal() *ServerError { return c.refusal }

// clientFor makes the client of mechanism mech (XOAUTH2 or OAuthBearer).
func clientFor(mech, username, token, host string, port int) (*Client, error) {
	switch mech {
	case XOAUTH2:
		return NewXOAUTH2Client(username, token), nil
	case OAuthBearer:
		return NewOAuthBearerClient(username, token, host, port), nil
	}
	return nil, fmt.Errorf("mailauth: mechanism %q: want %s or %s", mech, XOAUTH2, OAuthBearer)
}

// WireName is the SASL name of a configured mechanism (XOAUTH2,
// OAUTHBEARER), for checking what a server offers.
func WireName(mech string) string {
	switch mech {
	case XOAUTH2:
		return mechXOAUTH2
	case OAuthBearer:
		return mechOAuthBearer
	}
	return strings.ToUpper(mech)
}
