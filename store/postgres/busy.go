package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"sportel/store"
)

// busyStates are the SQLSTATEs of a server that was momentarily too busy:
// what failed may well succeed if tried again in a moment.
var busyStates = map[string]bool{
	"55P03": true, // lock_not_available: lock_timeout ran out, or NOWAIT
	"40001": true, // serialization_failure
	"40P01": true, // deadlock_detected
	"53300": true, // too_many_connections
	"57P03": true, // cannot_connect_now: the server is starting up
}

// markBusy marks *err store.ErrBusy when the server said it was busy
// (busyStates). Every exported method defers it, so a caller can tell "try
// again in a moment" from a real failure.
func markBusy(err *error) {
	if *err == nil || errors.Is(*err, store.ErrBusy) {
		return
	}
	var pe *pgconn.PgError
	if errors.As(*err, &pe) && busyStates[pe.Code] {
		*err = fmt.Errorf("%w: %w", store.ErrBusy, *err)
	}
}
