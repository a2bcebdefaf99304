package desk

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/emersion/go-msgauth/authres"
	"golang.org/x/net/publicsuffix"

	"sportel/inquiry"
)

// forwardVouched reports whether the ministry's own receiving mail server
// vouched that m, which names an officer in From, comes from that address:
// only then is an officer's forward believed, since anyone can write an
// officer's address in From and have Sportel acknowledge whatever address
// the "forwarded" part names. why says what vouched, or why nothing did.
//
// The server is the one configured by its authserv-id (RFC 8601). Only
// the topmost Authentication-Results header with that id is read: the
// server adds its own above what the mail carried, so a header with its
// name lower down may be the sender's forgery (RFC 8601 section 5 asks the
// server to remove those; not every one does). In that header:
//   - a DMARC verdict on the From domain decides, when there is one: pass
//     vouches and anything else does not, whatever DKIM or SPF say.
//     DMARC is the check made for this question: was the From domain
//     authenticated, by an aligned DKIM signature or SPF.
//   - without one (a server that checks no DMARC), a passing DKIM
//     signature of the From domain or of its organisational domain
//     (mkrs.rks-gov.net's rks-gov.net: the parent that runs the mail),
//     never a sibling's or another domain's;
//   - or SPF passing for an envelope sender in the From domain itself:
//     SPF says only that the sending host may send for the envelope's
//     domain, so it vouches for From only when the two are the same.
func (d *Desk) forwardVouched(m *inquiry.Message) (ok bool, why string) {
	domain := addressDomain(m.From.Address)
	if d.cfg.TrustedAuthservID != "" && domain == "" {
		return false, "the From address has no domain"
	}
	results, why, found := d.trustedResults(m)
	if !found {
		return false, why
	}
	return vouches(results, domain, d.cfg.TrustedAuthservID)
}

// trustedResults are the results of the topmost Authentication-Results
// header of the configured receiving server in m (see forwardVouched);
// found is false, and why says why, when there is none that can be read.
func (d *Desk) trustedResults(m *inquiry.Message) (results []authres.Result, why string, found bool) {
	trusted := d.cfg.TrustedAuthservID
	if trusted == "" {
		return nil, "no trusted receiving server is configured (mail.trusted_authserv_id)", false
	}
	for _, field := range m.AuthResults {
		id, results, err := readAuthResults(field)
		if !strings.EqualFold(id, trusted) {
			continue
		}
		if err != nil {
			return nil, fmt.Sprintf("the Authentication-Results of %s cannot be read: %v", trusted, err), false
		}
		return results, "", true
	}
	return nil, "no Authentication-Results header of " + trusted, false
}

// fromForged reports whether the ministry's receiving server said that
// m's From domain failed DMARC, and says so in why. Mail that names an
// officer in From is then not the officer's: anyone can write an officer's
// address there, and the proof an officer's reply carries, the Message-ID
// of the notification it answers, is known to whoever the officer passed
// the notification on to (a forward attached whole keeps it). Only an
// explicit fail counts: mail between the ministry's own mailboxes often
// gets no DMARC verdict at all, and an officer's answer must not be lost
// for that.
func (d *Desk) fromForged(m *inquiry.Message) (forged bool, why string) {
	results, _, found := d.trustedResults(m)
	domain := addressDomain(m.From.Address)
	if !found || domain == "" {
		return false, ""
	}
	for _, r := range results {
		if r, ok := r.(*authres.DMARCResult); ok && r.Value == authres.ResultFail {
			if from := resultDomain(r.From); from == "" || from == domain {
				return true, fmt.Sprintf("%s says dmarc=%s for %s", d.cfg.TrustedAuthservID, r.Value, orUnnamed(from))
			}
		}
	}
	return false, ""
}

// vouches applies forwardVouched's rule to one header's results.
func vouches(results []authres.Result, domain, server string) (bool, string) {
	org, _ := publicsuffix.EffectiveTLDPlusOne(domain)
	var dmarc, dkim, spf string
	for _, r := range results {
		switch r := r.(type) {
		case *authres.DMARCResult:
			switch from := resultDomain(r.From); {
			case from != "" && from != domain:
				// About another domain: says nothing of this one.
			case r.Value != authres.ResultPass:
				// A failure counts even when it names no domain.
				return false, fmt.Sprintf("%s says dmarc=%s for %s", server, r.Value, orUnnamed(from))
			case from != "":
				dmarc = "dmarc=pass header.from=" + from
			default:
				// A pass that names no domain vouches for none.
			}
		case *authres.DKIMResult:
			d := resultDomain(r.Domain)
			if r.Value == authres.ResultPass && d != "" && (d == domain || d == org) && dkim == "" {
				dkim = "dkim=pass header.d=" + d
			}
		case *authres.SPFResult:
			if r.Value == authres.ResultPass && mailFromDomain(r.From) == domain && spf == "" {
				spf = "spf=pass smtp.mailfrom=" + strings.Trim(r.From, `"<>`)
			}
		}
	}
	for _, pass := range []string{dmarc, dkim, spf} {
		if pass != "" {
			return true, server + " says " + pass
		}
	}
	return false, fmt.Sprintf("%s gives no pass for %s", server, domain)
}

// readAuthResults parses one Authentication-Results field with authres,
// first taking out what authres v0.7.0 does not: comments. It splits the
// field at every ";" and its results at every space, and keeps comments
// in the values; both comments and quoted strings can carry text the
// sender chose (a server writes the envelope sender in them), so
// "(a;dkim=pass header.d=mkrs.example;)" would read as a result of its
// own, and smtp.mailfrom="a smtp.mailfrom=b@mkrs.example c"@evil.example
// as SPF for mkrs.example. Comments go; a quoted string with a ";" or a
// space in it, or an unclosed one, makes the field unreadable (err). The
// id comes back even then, so that the trusted server's unreadable
// header is not passed over for a lower one.
func readAuthResults(field string) (id string, results []authres.Result, err error) {
	clean, cerr := withoutComments(field)
	if cerr != nil {
		clean = field
	}
	head, _, _ := strings.Cut(clean, ";")
	id, _, herr := authres.Parse(head)
	if herr != nil {
		return "", nil, herr
	}
	if cerr != nil {
		return id, nil, cerr
	}
	_, results, err = authres.Parse(clean)
	return id, results, err
}

// withoutComments is v with its RFC 5322 comments (nested, with quoted
// pairs) replaced by a space. Quoted strings stay as they are; one that
// holds a ";" is an error, as is an unclosed comment or quoted string.
func withoutComments(v string) (string, error) {
	var b strings.Builder
	depth, quoted, escaped := 0, false, false
	for _, c := range v {
		switch {
		case escaped:
			escaped = false
		case c == '\\' && (quoted || depth > 0):
			escaped = true
		case quoted:
			if c == '"' {
				quoted = false
			} else if c == ';' || unicode.IsSpace(c) {
				return "", errors.New("a ';' or a space inside a quoted string")
			}
		case c == '(':
			depth++
			if depth == 1 {
				b.WriteByte(' ')
			}
			continue
		case depth > 0:
			if c == ')' {
				depth--
			}
			continue
		case c == '"':
			quoted = true
		}
		if depth == 0 {
			b.WriteRune(c)
		}
	}
	if quoted || depth > 0 || escaped {
		return "", errors.New("an unclosed comment or quoted string")
	}
	return b.String(), nil
}

// addressDomain is the domain of a mail address, lower case.
func addressDomain(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return resultDomain(addr[i+1:])
}

// resultDomain is a domain as a result names it, compared in lower case
// without quotes or a final dot.
func resultDomain(v string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Trim(v, `"`)), ".")
}

// mailFromDomain is the domain of SPF's smtp.mailfrom: an address (some
// servers quote it or keep its angle brackets) or the domain alone.
func mailFromDomain(v string) string {
	v = strings.Trim(v, `"<>`)
	if i := strings.LastIndexByte(v, '@'); i >= 0 {
		v = v[i+1:]
	}
	return resultDomain(v)
}

func orUnnamed(domain string) string {
	if domain == "" {
		return "an unnamed domain"
	}
	return domain
}
