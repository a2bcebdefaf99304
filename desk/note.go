package desk

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
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
	t, _, err := d.noteOnce(ctx, "", number, author, text)
	return t, err
}

// NoteOnce is Note for a note that may be handed over again (a form sent
// twice): key names it, and a key already used adds nothing and reports
// again.
func (d *Desk) NoteOnce(ctx context.Context, key, number, author, text string) (t inquiry.Ticket, again bool, err error) {
	if key == "" {
		return inquiry.Ticket{}, false, fmt.Errorf("note on %s: no key", number)
	}
	return d.noteOnce(ctx, key, number, author, text)
}

func (d *Desk) noteOnce(ctx context.Context, key, number, author, text string) (inquiry.Ticket, bool, error) {
	text = strings.TrimSpace(text)
	author = strings.TrimSpace(author)
	switch {
	case author == "":
		return inquiry.Ticket{}, false, &Refusal{Kind: RefusedNoAuthor, Ticket: number, text: fmt.Sprintf("note on %s: no author", number)}
	case text == "":
		return inquiry.Ticket{}, false, &Refusal{Kind: RefusedEmptyNote, Ticket: number, text: fmt.Sprintf("note on %s: the note is empty", number)}
	case utf8.RuneCountInString(text) > MaxNoteRunes:
		n := utf8.RuneCountInString(text)
		return inquiry.Ticket{}, false, &Refusal{Kind: RefusedNoteTooLong, Ticket: number, N: n, Max: MaxNoteRunes,
			text: fmt.Sprintf("note on %s: %d characters, at most %d", number, n, MaxNoteRunes)}
	}
	t, again, err := d.updateOnce(ctx, key, number, func(tx store.Tx, t *inquiry.Ticket, now time.Time) error {
		return d.note(tx, t.ID, author, text, now)
	})
	if err != nil {
		return inquiry.Ticket{}, false, err
	}
	if !again {
		d.log.InfoContext(ctx, "note added", slog.String("ticket", t.Number), slog.String("by", author))
	}
	return t, again, nil
}
