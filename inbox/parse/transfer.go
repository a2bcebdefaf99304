package parse

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// decodeTransfer undoes a Content-Transfer-Encoding. It is deliberately more
// forgiving than the standard decoders: mail in the wild has stray characters
// in base64 and bare "=" in quoted-printable, and a citizen's request must not
// be lost over that. An unknown encoding keeps the bytes as they are (see
// kept for lent).
func (p *parser) decodeTransfer(enc string, b []byte, where string, lent bool) []byte {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "", "7bit", "8bit", "binary":
		return kept(b, lent)
	case "quoted-printable":
		return decodeQuotedPrintable(b)
	case "base64":
		out, bad := decodeBase64Lenient(b)
		if bad {
			p.problem("damaged base64 in %s; decoded what could be read", where)
		}
		return out
	default:
		p.problem("unknown Content-Transfer-Encoding %q in %s; kept undecoded", truncateForRecord(enc), where)
		return kept(b, lent)
	}
}

// kept is b to keep: b itself, or a copy when b is lent (a buffer its
// owner reuses).
func kept(b []byte, lent bool) []byte {
	if lent {
		return bytes.Clone(b)
	}
	return b
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeQuotedPrintable decodes =XX escapes and soft line breaks; anything
// malformed is kept literally, as RFC 2045 section 6.7 suggests.
func decodeQuotedPrintable(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		// Soft line break: "=" then optional trailing whitespace, then (CR)LF.
		j := i + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		if j < len(b) && b[j] == '\n' {
			i = j
			continue
		}
		if j+1 < len(b) && b[j] == '\r' && b[j+1] == '\n' {
			i = j + 1
			continue
		}
		if j == len(b) {
			i = j
			continue
		}
		if i+2 < len(b) {
			hi, ok1 := unhex(b[i+1])
			lo, ok2 := unhex(b[i+2])
			if ok1 && ok2 {
				out = append(out, hi<<4|lo)
				i += 2
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// decodeBase64Lenient decodes base64, skipping characters outside the
// alphabet; padding ends a run of base64 and the next run starts after it,
// as mailers that encode each line or each write on its own send it. bad
// reports whether anything was wrong beyond line breaks and such padding.
func decodeBase64Lenient(b []byte) (out []byte, bad bool) {
	// Most mail is well formed, and the standard decoder already skips line
	// breaks: try it first and filter byte by byte only when it fails.
	out = make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	if n, err := base64.StdEncoding.Decode(out, b); err == nil {
		return out[:n], false
	}
	out = out[:0]
	run := make([]byte, 0, len(b))
	flush := func() {
		// One leftover character cannot hold a byte.
		if len(run)%4 == 1 {
			run = run[:len(run)-1]
			bad = true
		}
		dst := make([]byte, base64.RawStdEncoding.DecodedLen(len(run)))
		n, err := base64.RawStdEncoding.Decode(dst, run)
		if err != nil {
			bad = true
		}
		out = append(out, dst[:n]...)
		run = run[:0]
	}
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			run = append(run, c)
		case c == '=':
			if len(run) > 0 {
				flush()
			}
		case c == '\r' || c == '\n' || c == ' ' || c == '\t':
		default:
			bad = true
		}
	}
	if len(run) > 0 {
		flush()
	}
	return out, bad
}

// notBase64 reports whether b, declared base64, plainly is not: more than
// one byte in twelve (and at least four) is neither of the alphabet, nor
// padding, nor a line break, where damaged base64 has a stray character or
// two and words have a space every few letters, and punctuation.
func notBase64(b []byte) bool {
	n, foreign := 0, 0
	for _, c := range b {
		switch {
		case c == '\r' || c == '\n':
			continue
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
		default:
			foreign++
		}
		n++
	}
	return foreign >= 4 && foreign*12 > n
}
