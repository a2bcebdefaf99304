package mailer

import (
	"strings"

	"golang.org/x/net/idna"

	"sportel/inquiry"
)

// asciiDomains returns m with each address's internationalised domain
// written as its A-label (bücher.example as xn--bcher-kva.example), in the
// envelope and the header alike. The A-label is the same domain to DNS and
// to every relay, so such an address needs no SMTPUTF8, which many relays
// lack: only a local part that is not ASCII does. m itself is not changed.
func asciiDomains(m *inquiry.Mail) *inquiry.Mail {
	if m == nil || isASCII(m.From.Address) && allASCII(m.To) && (m.ReplyTo == nil || isASCII(m.ReplyTo.Address)) {
		return m
	}
	c := *m
	c.From.Address = asciiDomain(m.From.Address)
	c.To = make([]inquiry.Address, len(m.To))
	for i, a := range m.To {
		a.Address = asciiDomain(a.Address)
		c.To[i] = a
	}
	if m.ReplyTo != nil {
		r := *m.ReplyTo
		r.Address = asciiDomain(r.Address)
		c.ReplyTo = &r
	}
	return &c
}

// asciiDomain is addr with its domain as an A-label. A domain IDNA refuses
// is left as it is: it then needs SMTPUTF8, and the relay judges it.
func asciiDomain(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || isASCII(addr[at+1:]) {
		return addr
	}
	domain, err := idna.Lookup.ToASCII(addr[at+1:])
	if err != nil {
		return addr
	}
	return addr[:at+1] + domain
}
