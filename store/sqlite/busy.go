package sqlite

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"sportel/store"
)

// markBusy marks *err store.ErrBusy when SQLite said it was busy: another
// connection (another process: this one writes one at a time) held the
// lock for longer than the busy timeout. Every exported method defers it,
// so a caller can tell "try again in a moment" from a real failure.
func markBusy(err *error) {
	if *err == nil || errors.Is(*err, store.ErrBusy) {
		return
	}
	var se *sqlite.Error
	// The extended codes (SQLITE_BUSY_RECOVERY, _SNAPSHOT, _TIMEOUT) keep
	// the primary code in their low byte.
	if errors.As(*err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY {
		*err = fmt.Errorf("%w: %w", store.ErrBusy, *err)
	}
}
