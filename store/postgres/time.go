package postgres

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Times are stored as a timestamptz (microseconds) and the nanoseconds
// beyond it (see migrations/0001_init.sql): at gives the first, ns the
// second, and instant puts them back together.

// at is t cut to the microsecond, which timestamptz holds exactly. The zero
// time is stored as itself (0001-01-01 UTC) where a time is required, as
// the SQLite driver does.
func at(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// atOrNull is at for an optional time: the zero time is NULL (not set).
func atOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return at(t)
}

// ns is what at cut off: 0-999 nanoseconds.
func ns(t time.Time) int16 { return int16(t.Nanosecond() % 1000) }

// instant is the time stored as ts and ns, in UTC; zero when ts is NULL.
func instant(ts *time.Time, ns int16) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.Add(time.Duration(ns)).UTC()
}

// text makes s storable: PostgreSQL's text holds no NUL character, which
// mail can carry (an "=00" in a quoted-printable body), and no bytes that
// are not UTF-8 (a header in a charset it does not declare), which it
// refuses with the whole statement: the message would fail on every retry.
// U+FFFD takes the place of each; the raw message, kept as bytea, still has
// the original.
func text(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
