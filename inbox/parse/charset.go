package parse

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
)

// Charsets the guesser chooses between: what Kosovo's mail actually uses when
// it is not UTF-8 (Albanian and Serbian Latin fit the Latin-2 family, Serbian
// Cyrillic is windows-1251).
const (
	win1250  = "windows-1250"
	iso88592 = "iso-8859-2"
	win1251  = "windows-1251"
)

// guessCharset picks the likeliest single-byte charset for bytes that are not
// valid UTF-8, by their distribution: Cyrillic text is mostly high bytes,
// Latin text with diacritics mostly ASCII letters; within Latin-2, bytes in
// 0x80-0x9F exist only in windows-1250 (š ž „ “), while 0xA9 0xAE 0xB9 0xBE are
// Š Ž š ž only in iso-8859-2.
func guessCharset(b []byte) string {
	var high, asciiLetters, c1, latin2Only int
	for _, c := range b {
		switch {
		case c >= 0x80 && c <= 0x9f:
			high++
			c1++
		case c == 0xa9 || c == 0xae || c == 0xb9 || c == 0xbe:
			high++
			latin2Only++
		case c >= 0xc0:
			high++
		case c >= 0xa0:
			high++
		case (c|0x20) >= 'a' && (c|0x20) <= 'z':
			asciiLetters++
		}
	}
	if high >= 4 && high*2 > high+asciiLetters {
		return win1251
	}
	if c1 == 0 && latin2Only > 0 {
		return iso88592
	}
	return win1250
}

// decodeSingleByte decodes b from one of the guessable charsets.
func decodeSingleByte(name string, b []byte) string {
	cm := charmap.Windows1250
	switch name {
	case iso88592:
		cm = charmap.ISO8859_2
	case win1251:
		cm = charmap.Windows1251
	}
	out, err := cm.NewDecoder().Bytes(b)
	if err != nil {
		// Charmap decoders map every byte; this is only a safety net.
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// hasMultibyteUTF8 reports whether b is valid UTF-8 that uses non-ASCII
// characters: text labelled with an 8-bit charset that passes this test is
// almost surely UTF-8 in truth.
func hasMultibyteUTF8(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func hasC1(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 && c <= 0x9f {
			return true
		}
	}
	return false
}

func normalizeCharsetLabel(label string) string {
	return strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
}

// decodeText turns a text part's bytes into valid UTF-8, given its declared
// charset; where names the part for ParseProblems. It never fails: a wrong or
// unknown label falls back to a guess and is recorded.
func (p *parser) decodeText(b []byte, label, where string) string {
	label = normalizeCharsetLabel(label)
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if utf8.Valid(b) {
			return string(b)
		}
		guess := guessCharset(b)
		declared := label
		if declared == "" {
			declared = "no charset"
		}
		p.problem("invalid UTF-8 in %s (declared %s); decoded as %s", where, declared, guess)
		return decodeSingleByte(guess, b)
	}
	if isUTF7Label(label) {
		return p.utf7Text(b, where)
	}
	if isSingleByteLabel(label) && hasMultibyteUTF8(b) {
		p.problem("mislabelled charset in %s: declared %s, text is utf-8", where, label)
		return string(b)
	}
	switch label {
	case "iso-8859-1", "latin1", "iso_8859-1", "l1":
		// As browsers do: mail labelled latin1 is windows-1252 in practice,
		// and 1252's extra characters sit where latin1 has only controls.
		label = "windows-1252"
	case "iso-8859-2", "latin2", "iso_8859-2", "l2":
		if hasC1(b) {
			p.problem("mislabelled charset in %s: declared %s, bytes are windows-1250", where, label)
			label = win1250
		}
	}
	if (label == win1250 || label == iso88592) && guessCharset(b) == win1251 {
		p.problem("mislabelled charset in %s: declared %s, bytes look like windows-1251", where, label)
		label = win1251
	}
	r, err := charset.Reader(label, bytes.NewReader(b))
	if err != nil {
		p.problem("unknown charset %s in %s", label, where)
		if utf8.Valid(b) {
			return string(b)
		}
		return decodeSingleByte(guessCharset(b), b)
	}
	out, err := readWith(r, func(b []byte, _ error) string { return strings.ToValidUTF8(string(b), "\uFFFD") })
	if err != nil {
		p.problem("decode %s text in %s: %v", label, where, err)
	}
	return out
}

// utf7Text decodes a UTF-7 text (RFC 2152); what could not be read is
// recorded and replaced, never the whole text lost.
func (p *parser) utf7Text(b []byte, where string) string {
	out, replaced, eightBit := decodeUTF7(make([]byte, 0, len(b)+len(b)/4), b)
	if replaced > 0 {
		p.problem("invalid UTF-7 in %s: %d sequence(s) replaced with U+FFFD", where, replaced)
	}
	if eightBit > 0 {
		p.problem("8-bit text in UTF-7 %s; read as UTF-8", where)
	}
	return string(out)
}

// isSingleByteLabel reports whether a charset label names an 8-bit charset
// (where valid multi-byte UTF-8 is a sign of mislabelling).
func isSingleByteLabel(label string) bool {
	return strings.HasPrefix(label, "iso-8859-") || strings.HasPrefix(label, "windows-125") ||
		strings.HasPrefix(label, "cp125") || label == "latin1" || label == "latin2" ||
		label == "koi8-r" || label == "koi8-u"
}

// fixRaw8bit decodes a header value that carries raw 8-bit bytes (not allowed
// in RFC 5322 but common) by guessing its charset.
func (p *parser) fixRaw8bit(v, where string) string {
	if utf8.ValidString(v) {
		return v
	}
	guess := guessCharset([]byte(v))
	p.problem("raw 8-bit bytes in %s; decoded as %s", where, guess)
	return decodeSingleByte(guess, []byte(v))
}

// wordDecoder decodes RFC 2047 encoded words; an unknown charset keeps the
// word's bytes (as UTF-8 or a guess) instead of failing the whole header.
func (p *parser) wordDecoder(where string) *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: func(label string, in io.Reader) (io.Reader, error) {
		if isUTF7Label(normalizeCharsetLabel(label)) {
			b, err := io.ReadAll(in)
			if err != nil {
				return nil, err
			}
			return strings.NewReader(p.utf7Text(b, where)), nil
		}
		if r, err := charset.Reader(label, in); err == nil {
			// Read out here: mime copies the reader it gets with io.Copy,
			// which lends itself 32 KiB unless the reader writes itself
			// out, as a bytes.Reader does, for a word of some tens of bytes.
			b, err := io.ReadAll(r)
			if err != nil {
				return nil, err
			}
			return bytes.NewReader(b), nil
		}
		p.problem("unknown charset %s in %s", normalizeCharsetLabel(label), where)
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		if utf8.Valid(b) {
			return bytes.NewReader(b), nil
		}
		return strings.NewReader(decodeSingleByte(guessCharset(b), b)), nil
	}}
}

// headerText decodes an unstructured header value (Subject and the like).
func (p *parser) headerText(v, where string) string {
	v = p.fixRaw8bit(v, where)
	s, err := p.wordDecoder(where).DecodeHeader(v)
	if err != nil {
		p.problem("decode %s: %v", where, err)
		s = v
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
