// Package connhint names the setting to look at when a connection to the
// mail servers fails for a reason it recognises. check-config --connect
// prints it; sportel run logs it with the failure, so the journal says
// what the administrator would otherwise have to run check-config for.
// A hint names keys only, never a value: it is safe to log.
package connhint

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"syscall"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"

	"sportel/mailauth"
)

// For says which setting of section ("imap" or "smtp") to look at for err,
// or "" when it does not recognise the failure.
func For(err error, section string) string {
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var imapErr *imap.Error
	var smtpErr *smtp.SMTPError
	var refused *mailauth.RefusedError
	var notTLS tls.RecordHeaderError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &hostErr):
		return fmt.Sprintf("the certificate is not for %s: set %s.tls_server_name to a name it is for", hostErr.Host, section)
	case errors.As(err, &notTLS):
		return fmt.Sprintf("the server does not begin TLS on this port: %s.security: tls is for a TLS port (993, 465); on 143 or 587 set %s.security: starttls", section, section)
	case errors.As(err, &authErr):
		return fmt.Sprintf("the certificate is not signed by a CA this machine trusts: set %s.ca_file to the CA's PEM file", section)
	case errors.As(err, &refused):
		return fmt.Sprintf("check that %s.oauth2_token_command (or the file in %s.oauth2_token_file) gives a current token, issued for %s.username, with the mail scope", section, section, section)
	case errors.As(err, &imapErr) && imapErr.Code == imap.ResponseCodeAuthenticationFailed,
		errors.As(err, &smtpErr) && smtpErr.Code == 535:
		return fmt.Sprintf("check %s.username and %s.password", section, section)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("nothing accepts connections at %s.addr: check its host and port and that the server runs (a firewall may refuse too)", section)
	}
	return ""
}
