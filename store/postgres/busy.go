package postgres

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

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

// lostStates are the SQLSTATEs of a session the server ended under the
// call; class 08 (connection exceptions) counts too.
var lostStates = map[string]bool{
	"57P01": true, // admin_shutdown: pg_terminate_backend, a fast shutdown
	"57P02": true, // crash_shutdown: another backend crashed
}

// markBusy marks *err store.ErrBusy when the server said it was busy
// (busyStates), and store.ErrConnLost when the connection broke under the
// call (connLost). Every exported method defers it, so a caller can tell
// "try again in a moment" and "the store, not the call, failed" from a
// real failure.
func markBusy(err *error) {
	if *err == nil || errors.Is(*err, store.ErrBusy) || errors.Is(*err, store.ErrConnLost) {
		return
	}
	var pe *pgconn.PgError
	if errors.As(*err, &pe) && busyStates[pe.Code] {
		*err = fmt.Errorf("%w: %w", store.ErrBusy, *err)
		return
	}
	if connLost(*err) {
		*err = fmt.Errorf("%w: %w", store.ErrConnLost, *err)
	}
}

// unreachable reports whether err, of a connection being made, says the
// server is not there yet or not taking connections: nothing listens,
// the network or its name does not answer, it is starting or shutting
// down. A certificate refused, a login refused or a database missing are
// not: they are the configuration's, and waiting changes nothing.
func unreachable(err error) bool {
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "57P03" || lostStates[pe.Code] || strings.HasPrefix(pe.Code, "08")
	}
	var ne *net.OpError
	var dns *net.DNSError
	return errors.As(err, &ne) || errors.As(err, &dns) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded)
}

// connLost reports whether err says the connection to the server broke:
// the server ended the session, or it could not be reached or read.
func connLost(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return lostStates[pe.Code] || strings.HasPrefix(pe.Code, "08")
	}
	var ce *pgconn.ConnectError
	var ne *net.OpError
	return errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
