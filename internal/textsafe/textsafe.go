// Package textsafe neutralises control characters in text that came from
// outside (subjects, names, bodies, file names) before Sportel shows it in a
// terminal, a mail or a Telegram chat. A terminal obeys ESC and CSI
// sequences (retitle the window, clear the screen, fake a prompt) and
// bidirectional overrides reorder what the reader sees ("invoice", U+202E,
// "fdp.exe" reads "invoiceexe.pdf"), so they must never reach the reader
// as they are.
//
// Escapes are written the way Go writes them, so they are visible: C0
// controls, DEL and bytes that are not UTF-8 as \xHH (ESC is
// \x1b, BEL \x07); C1 controls (U+0080–U+009F, e.g. CSI U+009B) and bidi
// controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) as
// \uHHHH. A backslash already in the text is left alone: it is harmless.
package textsafe

import (
	"path"
	"strings"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// Text is for multi-line text (message bodies, notes): line feeds and tabs
// are kept, CRLF becomes LF, every other control character is escaped.
func Text(s string) string {
	return escape(s, false)
}

// Line is for one-line fields (subject, name, address, file name shown to
// a reader, table cell): tabs, line breaks and the Unicode line and
// paragraph separators become a space, so a field cannot start a fake line;
// every other control character is escaped.
func Line(s string) string {
	return escape(s, true)
}

// FileName makes an attachment's name safe to save and to show: any
// directory part is dropped (so "../../x" cannot steer where a client saves
// it) and control and bidi characters are removed rather than escaped (a
// backslash would read as a directory on Windows). Without the bidi
// controls, "invoice", U+202E, "fdp.exe" shows its real extension:
// "invoicefdp.exe". A name longer than a disk takes (MaxFileNameBytes) is
// cut between letters, keeping its extension: saved as it came, it failed
// in the officer's mail client. It returns "" when nothing usable is left;
// the caller picks a default.
func FileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if isControl(r) || isBidi(r) {
			return -1
		}
		return r
	}, name)
	name = strings.ReplaceAll(name, "\\", "/")
	name = strings.TrimSpace(path.Base(strings.TrimRight(name, "/")))
	if name == "." || name == "/" || name == ".." {
		return ""
	}
	return shorten(name)
}

// MaxFileNameBytes is the longest name FileName gives: what Linux's file
// systems take (NAME_MAX), and within Windows' 255 characters.
const MaxFileNameBytes = 255

// maxExtBytes bounds what counts as an extension worth keeping when a
// name is cut (".pdf", ".docx", ".tar.gz" keeps ".gz").
const maxExtBytes = 16

// shorten cuts a name longer than MaxFileNameBytes at a letter's start,
// keeping its extension.
func shorten(name string) string {
	if len(name) <= MaxFileNameBytes {
		return name
	}
	stem, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= maxExtBytes && !strings.ContainsRune(name[i:], ' ') {
		stem, ext = name[:i], name[i:]
	}
	cut := MaxFileNameBytes - len(ext)
	for cut > 0 && !utf8.RuneStart(stem[cut]) {
		cut--
	}
	return strings.TrimRight(stem[:cut], " .") + ext
}

// JSON escapes, inside encoded JSON, the C1 and bidi controls that
// encoding/json writes raw (it already escapes C0 and replaces invalid
// UTF-8). They can only occur inside strings, where \uHHHH is valid JSON,
// so the result decodes to the same values.
func JSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if isC1(r) || isBidi(r) {
			break
		}
		i += size
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if isC1(r) || isBidi(r) {
			out = appendU(out, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

func escape(s string, oneLine bool) string {
	if clean(s, oneLine) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeX(&b, s[i])
		case oneLine && isBreak(r):
			b.WriteByte(' ')
		case !oneLine && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case !oneLine && r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// CRLF: the LF that follows is the line break.
		case r < 0x20 || r == 0x7f:
			writeX(&b, byte(r))
		case isC1(r) || isBidi(r):
			b.Write(appendU(nil, r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// clean reports whether escape would return s unchanged; most text is, and
// then nothing is allocated.
func clean(s string, oneLine bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == 0x7f || (c < 0x20 && (oneLine || (c != '\n' && c != '\t'))) {
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || isC1(r) || isBidi(r) || (oneLine && isBreak(r)) {
			return false
		}
		i += size - 1
	}
	return true
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || isC1(r) }

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

// isBidi reports the invisible characters that change the display order of
// the text around them (the "Trojan Source" set, CVE-2021-42574).
func isBidi(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// isBreak reports white space that would end or split a one-line field.
func isBreak(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

func writeX(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

func appendU(out []byte, r rune) []byte {
	return append(out, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}
