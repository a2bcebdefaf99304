package parse

import (
	"mime"
	"slices"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
	"github.com/smallstep/pkcs7"

	"sportel/inquiry"
)

// Signed and encrypted mail (S/MIME, RFC 8551; PGP/MIME, RFC 3156). A
// signature is no file of the citizen's: it is dropped, and what was signed
// is the mail. Encrypted content cannot be read: the mail is still filed
// (the legal clock runs), its ciphertext kept as an attachment for the
// record but never given to the classifier as words, and the officer told.

// isSignature reports whether a part of a multipart/signed is its signature.
func isSignature(mediaType string) bool {
	switch mediaType {
	case "application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature":
		return true
	}
	return false
}

// unreadable notes why the mail's content cannot be read, once per reason.
func (p *parser) unreadable(why string, encrypted bool) {
	if !slices.Contains(p.sealed, why) {
		p.sealed = append(p.sealed, why)
		p.problem("%s", why)
	}
	p.encrypted = p.encrypted || encrypted
}

// maxBERDepth bounds the nesting of a PKCS#7 blob handed to the library,
// whose reader recurses once per level: real ones nest about ten deep.
const maxBERDepth = 64

// pkcs7Mime reads an application/pkcs7-mime part: signed data is opened
// and its content read as the mail's own; enveloped (encrypted) data, or
// signed data that cannot be opened, is kept as it came and noted.
func (p *parser) pkcs7Mime(mh message.Header, mediaType string, params map[string]string, data []byte, at []int, depth int, m *inquiry.Message) []textPiece {
	where := partName(at)
	kind := strings.ToLower(params["smime-type"])
	if depth >= maxDepth {
		p.problem("S/MIME nested deeper than %d levels in %s; kept as attachment", maxDepth, where)
		p.attach(m, mh, mediaType, data, where)
		return nil
	}
	switch kind {
	case "enveloped-data", "authenveloped-data":
		p.unreadable("encrypted with S/MIME: Sportel cannot read it; the original is attached as received", true)
		p.attach(m, mh, mediaType, data, where)
		return nil
	case "certs-only", "compressed-data":
		p.attach(m, mh, mediaType, data, where)
		return nil
	}
	// signed-data, or no smime-type at all (older clients): open it.
	var p7 *pkcs7.PKCS7
	var err error
	if berDepth(data) > maxBERDepth {
		err = errTooDeep
	} else {
		p7, err = pkcs7.Parse(data)
	}
	if err == nil && p7.Content == nil && kind == "" && len(p7.Signers) == 0 {
		// No smime-type and nothing signed in it: enveloped data.
		p.unreadable("encrypted with S/MIME: Sportel cannot read it; the original is attached as received", true)
		p.attach(m, mh, mediaType, data, where)
		return nil
	}
	if err != nil || len(p7.Content) == 0 {
		why := "no content"
		if err != nil {
			why = truncateForRecord(err.Error())
		}
		p.problem("S/MIME signed data in %s not readable (%s)", where, why)
		p.unreadable("signed in a form Sportel cannot open (S/MIME); the original is attached as received", false)
		p.attach(m, mh, mediaType, data, where)
		return nil
	}
	th, body := p.readTopHeader(p.crLines(p7.Content))
	return p.walk(th, body, at, depth+1, m, false)
}

type berError string

func (e berError) Error() string { return string(e) }

const errTooDeep = berError("nested too deeply")

// berDepth is how deep the constructed values of a BER blob nest (it stops
// counting past maxBERDepth), read without recursion.
func berDepth(b []byte) int {
	// ends holds, per open constructed value, where it ends (-1: at its
	// end-of-contents octets).
	var ends []int
	deepest := 0
	for i := 0; i < len(b); {
		for len(ends) > 0 && ends[len(ends)-1] >= 0 && i >= ends[len(ends)-1] {
			ends = ends[:len(ends)-1]
		}
		if len(ends) > 0 && ends[len(ends)-1] < 0 && i+1 < len(b) && b[i] == 0 && b[i+1] == 0 {
			ends = ends[:len(ends)-1]
			i += 2
			continue
		}
		tag := b[i]
		i++
		if tag&0x1f == 0x1f {
			for i < len(b) && b[i]&0x80 != 0 {
				i++
			}
			i++
		}
		if i >= len(b) {
			break
		}
		l := int(b[i])
		i++
		length := -1
		switch {
		case l < 0x80:
			length = l
		case l > 0x80:
			n := l & 0x7f
			if n > 4 || i+n > len(b) {
				return deepest
			}
			length = 0
			for _, c := range b[i : i+n] {
				length = length<<8 | int(c)
			}
			i += n
		}
		if tag&0x20 == 0 {
			if length < 0 {
				return deepest
			}
			i += length
			continue
		}
		end := -1
		if length >= 0 {
			end = i + length
		}
		ends = append(ends, end)
		if len(ends) > deepest {
			deepest = len(ends)
			if deepest > maxBERDepth {
				return deepest
			}
		}
	}
	return deepest
}

// pgpArmorBlock finds an armored OpenPGP message in a text: the start of
// its BEGIN line and the end of its END line (ok false: none).
func pgpArmorBlock(text string) (start, end int, ok bool) {
	const begin, finish = "-----BEGIN PGP MESSAGE-----", "-----END PGP MESSAGE-----"
	start = strings.Index(text, begin)
	if start < 0 {
		return 0, 0, false
	}
	e := strings.Index(text[start:], finish)
	if e < 0 {
		return start, len(text), true
	}
	return start, start + e + len(finish), true
}

// withoutPGPMessages takes armored OpenPGP messages out of a text part,
// keeping what the sender wrote around them: ciphertext is nobody's words.
func (p *parser) withoutPGPMessages(text string) string {
	var kept strings.Builder
	for {
		start, end, ok := pgpArmorBlock(text)
		if !ok {
			break
		}
		p.unreadable("encrypted with PGP: Sportel cannot read it; the original is in the raw message", true)
		kept.WriteString(text[:start])
		text = text[end:]
	}
	kept.WriteString(text)
	return kept.String()
}

// skipPart reports whether a part of a multipart of type parent is none of
// the mail's content: the signature of a signed mail, the version line of
// a PGP/MIME encrypted one.
func (p *parser) skipPart(parent string, h textproto.Header) bool {
	if p.asStored || (parent != "multipart/signed" && parent != "multipart/encrypted") {
		return false
	}
	t, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t, _ = lenientMediaType(h.Get("Content-Type"))
	}
	t = strings.ToLower(t)
	if parent == "multipart/signed" {
		return isSignature(t)
	}
	return t == "application/pgp-encrypted"
}
