package store

import "sportel/inquiry"

// RecordEntry is an entry of a ticket's record as a page of it lists it
// (Reader.RecordPage): everything the entry says but its raw mail and its
// files' bytes, which Reader.Entry reads when one is wanted. A record may
// hold thousands of entries and megabytes of files each.
type RecordEntry struct {
	// Entry is the entry with Raw and Attachments nil: Files and RawSize
	// say what it holds.
	inquiry.Entry
	// RawSize is the size in bytes of the raw mail kept with the entry,
	// 0 when there is none.
	RawSize int64
	// Files are the entry's attachments in order, each with Content nil.
	Files []RecordFile
}

// RecordFile is an attachment of an entry without its bytes.
type RecordFile struct {
	// Attachment is the attachment with Content nil.
	inquiry.Attachment
	// HasContent: the entry keeps the file's bytes itself (a Telegram
	// file). An email's files are kept in its raw mail instead.
	HasContent bool `json:"has_content"`
}

// Stored reports whether file i of e can be downloaded: its bytes were
// kept whole, in the entry or in its raw mail.
func (e RecordEntry) Stored(i int) bool {
	f := e.Files[i]
	return !f.Truncated && (f.HasContent || e.RawSize > 0)
}
