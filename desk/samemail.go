package desk

import (
	"slices"
	"strings"

	"sportel/inquiry"
)

// sameMessage reports whether the entry e records what m says, from m's
// sender: the same From (and Reply-To), words and files, however the two
// were encoded on the way.
func sameMessage(e inquiry.Entry, m *inquiry.Message) bool {
	return strings.EqualFold(e.Author, senderName(m)) && sameWords(e.Text) == sameWords(m.Text) &&
		sameFiles(e.Attachments, m.Attachments)
}

// sameFiles reports whether two messages carry the same files, as far as
// the record tells (names, types and sizes): a citizen who sends documents
// one mail at a time under one subject sends different files.
func sameFiles(a, b []inquiry.Attachment) bool {
	return slices.EqualFunc(a, b, func(x, y inquiry.Attachment) bool {
		return x.Name == y.Name && x.Size == y.Size && strings.EqualFold(x.ContentType, y.ContentType)
	})
}
