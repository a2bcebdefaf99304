package desk

import (
	"context"
	"log/slog"
	"strings"
	"unicode/utf8"

	"sportel/inquiry"
	"sportel/store"
)

// MaxNoteRunes bounds an internal note: a note is a remark for colleagues,
// and a pasted mailbox would bloat every later reading of the record.
const MaxNoteRunes = 10000

// Note adds an internal note to a ticket's record, in any state, written by
// author (an officer's id, or "cli:<user>" from the command line). Nobody
// outside the division sees it and it sends nothing; the entry itself, with
// its author and time, is the audit trail, and the log says who noted on
// which ticket (not what: a note may name people).
func (d *Desk) Note(ctx context.Context, number, author, text string) (inquiry.Ticket, error) {
	text = strings.TrimSpace(text)
	author = strings.TrimSpace(author)
	switch {
	case author == "":
		return inquiry.Ticket{}, refuse("note on %s: no author", number)
	case text == "":
		return inquiry.Ticket{}, refuse("note on %s: the note is empty", number)
	case utf8.RuneCountInString(text) > MaxNoteRunes:
		return inquiry.Ticket{}, refuse("note on %s: %d characters, at most %d", number, utf8.RuneCountInString(text), MaxNoteRunes)
	}
	t, err := d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		return d.note(tx, t.ID, author, text, d.now())
	})
	if err != nil {
		return inquiry.Ticket{}, err
	}
	d.log.InfoContext(ctx, "note added", slog.String("ticket", t.Number), slog.String("by", author))
	return t, nil
}
