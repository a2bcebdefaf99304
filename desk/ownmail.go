package desk

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"

	"sportel/inquiry"
)

// ownMail reports whether a is a mail Sportel wrote, attached whole: the
// notification an officer's client attaches to a reply ("Attach original
// message"). It carries the ticket's internal facts, so it is never sent
// on to the citizen, nor counted as a file of the officer's.
func (d *Desk) ownMail(a inquiry.Attachment) bool {
	mediaType, _, _ := mime.ParseMediaType(a.ContentType)
	if !strings.EqualFold(mediaType, "message/rfc822") {
		return false
	}
	msg, err := mail.ReadMessage(bytes.NewReader(a.Content))
	if err != nil {
		return false
	}
	return d.ownMessageID(strings.Trim(strings.TrimSpace(msg.Header.Get("Message-Id")), "<>"))
}

// ownMessageID reports whether id is a Message-ID Sportel gives its mail.
func (d *Desk) ownMessageID(id string) bool {
	return strings.HasPrefix(id, MessageIDPrefix) && len(id) > len(d.domain) &&
		strings.EqualFold(id[len(id)-len(d.domain)-1:], "@"+d.domain)
}

// officersFiles is files without the mails of our own attached to them,
// nor images of the officer's signature or the quoted mail.
func (d *Desk) officersFiles(files []inquiry.Attachment) []inquiry.Attachment {
	var out []inquiry.Attachment
	for _, a := range files {
		if a.NotSent == "" && !d.ownMail(a) {
			out = append(out, a)
		}
	}
	return out
}
