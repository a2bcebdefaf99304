package mailer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Addresses reach the mailer as net/mail and go-message read them, a quoted
// local part unquoted (`"john doe"@example.org` is `john doe@example.org`),
// or as written, quotes and all. RFC 5321 allows any printable character in
// a quoted local part and relays accept them, so both are sent: the header
// gets the unquoted form (go-message quotes it as needed) and MAIL FROM and
// RCPT TO the path form, quoted where it is not a dot-string.

// addressForms checks addr and returns it unquoted and in its SMTP path
// form. It refuses what no relay should be handed: a control character
// (CR, LF, NUL, TAB: a command or header line could be split), a quote in
// the local part that is not one well-formed quoted string (unbalanced, or
// a stray one: how a broken or forged header looks, never a real mailbox),
// and a domain with characters no domain has.
func addressForms(addr string) (unquoted, path string, err error) {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "", "", fmt.Errorf("address %q: not a mail address", addr)
	}
	local, domain := addr[:at], addr[at+1:]
	if bad := badDomain(domain); bad != "" {
		return "", "", fmt.Errorf("address %q: %s in the domain", addr, bad)
	}
	unquoted = addr
	if local[0] == '"' {
		var ok bool
		if local, ok = unquoteLocal(local); !ok {
			return "", "", fmt.Errorf("address %q: unbalanced quotes in the local part", addr)
		}
		if local == "" {
			return "", "", fmt.Errorf("address %q: empty local part", addr)
		}
		unquoted = local + "@" + domain
	}
	if !utf8.ValidString(local) {
		return "", "", fmt.Errorf("address %q: not UTF-8", addr)
	}
	for _, r := range local {
		switch {
		case r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0:
			return "", "", fmt.Errorf("address %q: a control character in the local part", addr)
		case r == '"':
			return "", "", fmt.Errorf("address %q: a quote inside the local part", addr)
		}
	}
	if dotAtom(local) {
		return unquoted, unquoted, nil
	}
	return unquoted, `"` + strings.ReplaceAll(local, `\`, `\\`) + `"@` + domain, nil
}

// badDomain names what makes d no domain (a name or an [address literal]),
// or is "".
func badDomain(d string) string {
	if !utf8.ValidString(d) {
		return "not UTF-8"
	}
	for _, r := range d {
		switch {
		case r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0:
			return "a control character"
		case strings.ContainsRune(` "\<>(),;@`, r):
			return fmt.Sprintf("%q", r)
		}
	}
	return ""
}

// unquoteLocal reads s, which starts with '"', as one RFC 5321 quoted
// string filling the whole local part; ok is false when it is not one.
func unquoteLocal(s string) (string, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i++; i == len(s) {
				return "", false
			}
		case '"':
			return b.String(), i == len(s)-1
		}
		b.WriteByte(s[i])
	}
	return "", false
}

// unquotedAddress is addr with a quoted local part unquoted, for the
// header; addr as it is when it has none or is not well-formed (validate
// has refused it then).
func unquotedAddress(addr string) string {
	if addr == "" || addr[0] != '"' {
		return addr
	}
	u, _, err := addressForms(addr)
	if err != nil {
		return addr
	}
	return u
}

// smtpPath is addr as MAIL FROM and RCPT TO write it; addr as it is when
// validate has refused it (it is then never sent).
func smtpPath(addr string) string {
	_, p, err := addressForms(addr)
	if err != nil {
		return addr
	}
	return p
}
