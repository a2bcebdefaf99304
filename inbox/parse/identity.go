package parse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"sportel/inquiry"
)

// sourceID is the idempotency key of a mail. A Message-ID alone does not
// tell messages apart (contact forms write a fixed one), so the From
// address and a hash of the body go beside it. Only what the sender wrote is
// used: the header block, where relays add Received and the like, is left
// out, so a redelivery of the same mail gets the same key.
// Without a Message-ID the sender's Date and Subject go into the hash
// too. It also sets the key earlier versions stored for m (LegacySourceID).
func setSourceID(m *inquiry.Message, body, raw []byte) {
	if m.MessageID != "" {
		h := sha256.New()
		writeNormalBody(h, body)
		sum := h.Sum(nil)
		m.SourceID = "mail:" + m.MessageID + "|" + strings.ToLower(m.From.Address) + "|" + hex.EncodeToString(sum[:12])
		m.LegacySourceID = "msgid:" + m.MessageID
		return
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n%s\n", strings.ToLower(m.From.Address), m.SentAt.Unix(), m.Subject)
	writeNormalBody(h, body)
	m.SourceID = "nomsgid:" + hex.EncodeToString(h.Sum(nil)[:16])
	sum := sha256.Sum256(raw)
	m.LegacySourceID, m.LegacyExact = "sha256:"+hex.EncodeToString(sum[:]), true
}

// writeNormalBody writes the body to h independent of how a server stores
// it: line ends as LF (Dovecot hands back CRLF), no trailing blanks on a
// line, no blank lines at the end. It streams into the hash rather than
// building a normalised copy: every mail taken in passes through here.
func writeNormalBody(h hash.Hash, body []byte) {
	var newlines []byte // separators held back until a line with text follows
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		// By hand: bytes.TrimRight builds its set of bytes at every call,
		// a cost a large attachment's thousands of lines add up.
		end := len(line)
		for end > 0 && (line[end-1] == ' ' || line[end-1] == '\t' || line[end-1] == '\r') {
			end--
		}
		if end > 0 {
			h.Write(newlines)
			h.Write(line[:end])
			newlines = newlines[:0]
		}
		newlines = append(newlines, '\n')
	}
}
