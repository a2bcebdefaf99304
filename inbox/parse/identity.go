package parse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"sportel/inquiry"
)

// sourceID is the idempotency key of a mail. A Message-ID alone does not
// tell messages apart (contact forms write a fixed one), so the From
// address and a hash of the body go beside it. Only what the sender wrote is
// used: the header block, where relays add Received and the like, is left
// out, so a redelivery of the same mail gets the same key.
func sourceID(m *inquiry.Message, body, raw []byte) string {
	if m.MessageID == "" {
		sum := sha256.Sum256(raw)
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	sum := sha256.Sum256(normalizeBody(body))
	return "mail:" + m.MessageID + "|" + strings.ToLower(m.From.Address) + "|" + hex.EncodeToString(sum[:12])
}

// normalizeBody makes the body independent of how a server stores it: line
// ends as LF (Dovecot hands back CRLF), no trailing blanks on a line, no
// blank lines at the end.
func normalizeBody(body []byte) []byte {
	out := make([]byte, 0, len(body))
	for line := range bytes.Lines(body) {
		line = bytes.TrimRight(line, " \t\r\n")
		out = append(out, line...)
		out = append(out, '\n')
	}
	return bytes.TrimRight(out, "\n")
}
