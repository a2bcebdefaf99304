package desk

import "unicode/utf8"

// threadIDs is ids without those the mailer cannot write in In-Reply-To or
// References (blank, or holding "<", ">" or a line break; the mailer
// refuses the whole mail for one) and those that are not ASCII (8-bit
// bytes in a header the relay is not told is UTF-8: the mailer asks for
// SMTPUTF8 only for addresses). They come from the sender's mail, as broken
// clients and scripts wrote them ("<<id>>"); a thread reference left out
// costs the reader's client its threading, a refused mail costs the
// citizen the acknowledgement or the officer's answer for good.
func threadIDs(ids ...string) []string {
	var out []string
	for _, id := range ids {
		if writableID(id) {
			out = append(out, id)
		}
	}
	return out
}

// writableID reports whether id is ASCII, holds no "<", ">" or line break
// and is not all space, in one pass: every acknowledgement asks it.
func writableID(id string) bool {
	blank := true
	for i := 0; i < len(id); i++ {
		switch c := id[i]; c {
		case '<', '>', '\r', '\n':
			return false
		case '\t', '\v', '\f', ' ':
		default:
			if c >= utf8.RuneSelf {
				return false
			}
			blank = false
		}
	}
	return !blank
}
