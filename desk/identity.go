package desk

import (
	"strings"

	"sportel/inquiry"
	"sportel/store"
)

// takenBefore reports whether m was taken in already, and the ticket it
// went to (0: none). Besides m's own key it asks for the key versions
// before the sender and body were part of it stored ("msgid:<id>"), so
// mail still in the mailbox after an upgrade is not ticketed again, and
// for another copy of m under its Message-ID (sameMailAgain).
func (d *Desk) takenBefore(tx store.Tx, m *inquiry.Message) (int64, bool, error) {
	ticketID, seen, err := tx.SourceTicket(m.SourceID)
	if err != nil || seen {
		return ticketID, seen, err
	}
	ticketID, seen, err = d.takenBeforeLegacy(tx, m)
	if err != nil || seen {
		return ticketID, seen, err
	}
	return d.sameMailAgain(tx, m)
}

// sameMailAgain finds a copy of m taken in under another key: the same
// mail delivered by two routes, one relay having re-encoded it (an 8-bit
// body made quoted-printable or base64 for a server without 8BITMIME). The
// key hashes the body as it came, encoded, so the copies' keys differ; their
// Message-ID, sender, words and files do not. The Message-ID's thread
// reference names the ticket its first copy went to (a new ticket or a
// follow-up), at any age and in any state; the copy there must be by m's
// sender and say what m says, so a contact form's fixed Message-ID does
// not swallow another submission. The copy found is marked under m's key,
// so a redelivery of m is known by the key alone.
//
// It costs a look-up of the Message-ID (indexed, one row at most) per mail
// not known by its key; a ticket's record is read only when the
// Message-ID is known.
func (d *Desk) sameMailAgain(tx store.Tx, m *inquiry.Message) (int64, bool, error) {
	if m.MessageID == "" || m.Channel != inquiry.ChannelEmail {
		return 0, false, nil
	}
	ref, ok, err := tx.FindThreadRef([]string{m.MessageID})
	if err != nil || !ok || ref.TicketID == 0 {
		return 0, false, err
	}
	first, ok, err := tx.FirstEntry(ref.TicketID)
	if err != nil {
		return 0, false, err
	}
	entries := []inquiry.Entry{first}
	if !ok || first.MessageID != m.MessageID {
		// Its reference was recorded by a follow-up.
		if entries, err = tx.Entries(ref.TicketID); err != nil {
			return 0, false, err
		}
	}
	for _, e := range entries {
		if e.Kind == inquiry.EntryInbound && e.MessageID == m.MessageID && sameMessage(e, m) {
			if err := tx.MarkSource(m.SourceID, ref.TicketID, d.now()); err != nil {
				return 0, false, err
			}
			return ref.TicketID, true, nil
		}
	}
	return 0, false, nil
}

// takenBeforeLegacy looks m up under the key earlier versions stored.
func (d *Desk) takenBeforeLegacy(tx store.Tx, m *inquiry.Message) (int64, bool, error) {
	legacy := m.LegacySourceID
	if legacy == "" || legacy == m.SourceID {
		return 0, false, nil
	}
	ticketID, seen, err := tx.SourceTicket(legacy)
	if err != nil || !seen {
		return 0, false, err
	}
	if m.LegacyExact {
		// A hash of the very bytes: this mail and no other.
		return ticketID, true, nil
	}
	same, err := d.sameAsLegacy(tx, m, legacy, ticketID)
	if err != nil || !same {
		return 0, false, err
	}
	return ticketID, true, nil
}

// sameAsLegacy decides whether the message an old-style key was stored for
// is m, and not another sender's mail that carries the same Message-ID (a
// contact form writing a fixed one). The old key holds no sender, so the
// record is asked:
//   - a key with a ticket: the entry recorded under it must be by m's
//     sender; old versions wrote the Reply-To address as the author when
//     there was one, else From, and an officer's id for an officer's
//     answer (the current form, senderName, counts too), and its body as
//     it came must be m's (the raw bytes, not the parsed text: a parser
//     change after the upgrade would make the same mail look different).
//   - a key without a ticket: the old message was machine mail or set
//     aside; m is the same only if it too would make no ticket. A person's
//     mail under that Message-ID is someone else's and is filed.
func (d *Desk) sameAsLegacy(tx store.Tx, m *inquiry.Message, legacy string, ticketID int64) (bool, error) {
	if ticketID == 0 {
		return m.Automation == inquiry.Machine || (!usableSender(m) && !m.HasContent()), nil
	}
	entries, err := tx.Entries(ticketID)
	if err != nil {
		return false, err
	}
	authors := []string{m.From.Address, m.ReplyAddress().Address, senderName(m)}
	if officer, ok := d.officerByEmail(m.From.Address); ok {
		authors = append(authors, officer.ID)
	}
	for _, e := range entries {
		if e.SourceID != legacy {
			continue
		}
		for _, a := range authors {
			if a != "" && strings.EqualFold(e.Author, a) {
				// The author alone said too little: a form with a fixed
				// Message-ID and no Reply-To writes every submission as
				// itself, and the old key was looked up for all later mail,
				// dropping each new submission as the first. The bytes of the
				// body as it came, kept with the entry, must be the same too
				// (not the parsed text, which a parser change may alter).
				if len(e.Raw) > 0 && len(m.Raw) > 0 && !sameBody(e.Raw, m.Raw) {
					continue
				}
				return true, nil
			}
		}
	}
	return false, nil
}

// sameBody reports whether two raw mails carry the same body, whatever the
// relays added to their headers: line ends and trailing blanks aside.
func sameBody(a, b []byte) bool {
	return normalBody(a) == normalBody(b)
}

func normalBody(raw []byte) string {
	s := strings.ReplaceAll(string(raw), "\r\n", "\n")
	if _, body, ok := strings.Cut(s, "\n\n"); ok {
		s = body
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}
