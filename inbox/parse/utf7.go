package parse

import (
	"unicode/utf8"
)

// UTF-7 (RFC 2152) is not in golang.org/x/text, and the Go packages that
// carry it are either IMAP's modified UTF-7 (',' and '&', a different
// alphabet) or unmaintained and fail the whole text on one bad byte. Old
// Outlook Express and Windows mail setups still send it, so the parser
// reads it itself.

// isUTF7Label reports whether a normalized charset label names RFC 2152
// UTF-7 (the IANA names and aliases, and the one .NET writes).
func isUTF7Label(label string) bool {
	switch label {
	case "utf-7", "utf7", "csutf7", "unicode-1-1-utf-7", "csunicode11utf7", "x-unicode-2-0-utf-7", "unicode-2-0-utf-7":
		return true
	}
	return false
}

// utf7Base64 is the value of a character of RFC 2152's base64 alphabet
// (RFC 2045's, without '='), or -1.
func utf7Base64(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}

// utf7Decoding is the state of one decodeUTF7 call.
type utf7Decoding struct {
	out []byte
	// replaced counts ill-formed sequences written as U+FFFD; eightBit the
	// characters that came as raw UTF-8 where UTF-7 has only 7-bit bytes.
	replaced, eightBit int
	// high is a high surrogate waiting for its low half, or 0.
	high rune
}

func (d *utf7Decoding) bad() {
	d.out = utf8.AppendRune(d.out, utf8.RuneError)
	d.replaced++
}

// unit takes one UTF-16 code unit of a shifted sequence.
func (d *utf7Decoding) unit(u rune) {
	isHigh := 0xD800 <= u && u < 0xDC00
	isLow := 0xDC00 <= u && u < 0xE000
	if d.high != 0 {
		if isLow {
			d.out = utf8.AppendRune(d.out, (d.high-0xD800)<<10+(u-0xDC00)+0x10000)
			d.high = 0
			return
		}
		d.high = 0
		d.bad()
	}
	switch {
	case isHigh:
		d.high = u
	case isLow:
		d.bad()
	default:
		d.out = utf8.AppendRune(d.out, u)
	}
}

// shifted decodes the base64 run of a shifted sequence starting at
// src[i] (just after its '+') and returns the index after it, with a
// closing '-' absorbed. Any other character not in the alphabet ends the
// sequence too and is left for the caller, as RFC 2152 says.
func (d *utf7Decoding) shifted(src []byte, i int) int {
	var bits uint32
	var n uint // bits held
	for ; i < len(src); i++ {
		v := utf7Base64(src[i])
		if v < 0 {
			break
		}
		bits = bits<<6 | uint32(v)
		n += 6
		if n >= 16 {
			n -= 16
			d.unit(rune(bits >> n & 0xFFFF))
			bits &= 1<<n - 1
		}
	}
	if d.high != 0 {
		d.high = 0
		d.bad()
	}
	// Up to 5 bits of padding end a well-formed sequence; 6 or more are a
	// code unit cut short. (Padding that is not zero loses nothing and is
	// let pass, as most decoders do.)
	if n >= 6 {
		d.bad()
	}
	if i < len(src) && src[i] == '-' {
		i++
	}
	return i
}

// decodeUTF7 appends src, read as RFC 2152 UTF-7, to dst as UTF-8. It never
// fails and always appends valid UTF-8: an ill-formed sequence (a '+'
// followed by neither base64 nor '-', a code unit cut short, an unpaired
// surrogate, a byte that is not UTF-8) becomes U+FFFD and is counted in
// replaced; text sent as raw UTF-8 where UTF-7 has only 7-bit bytes is kept
// and counted in eightBit. Characters outside RFC 2152's direct sets
// ('~', '\\', controls) are taken as they are, as mail clients do.
func decodeUTF7(dst, src []byte) (out []byte, replaced, eightBit int) {
	d := utf7Decoding{out: dst}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size == 1 {
				d.bad()
			} else {
				d.out = append(d.out, src[i:i+size]...)
				d.eightBit++
			}
			i += size
		case c != '+':
			d.out = append(d.out, c)
			i++
		case i+1 < len(src) && src[i+1] == '-':
			d.out = append(d.out, '+')
			i += 2
		case i+1 < len(src) && utf7Base64(src[i+1]) >= 0:
			i = d.shifted(src, i+1)
		default:
			d.bad()
			i++
		}
	}
	return d.out, d.replaced, d.eightBit
}
