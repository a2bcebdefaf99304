package desk

import "strings"

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
		if strings.TrimSpace(id) != "" && !strings.ContainsAny(id, "<>\r\n") && ascii(id) {
			out = append(out, id)
		}
	}
	return out
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
