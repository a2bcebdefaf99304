package postgres

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"sportel/store"
)

// The SQLSTATEs of a server too busy for now are marked store.ErrBusy, as
// the server's error comes back from pgx or wrapped, keeping it in the
// chain; every other state, and an error without one, is not.
func TestMarkBusyStates(t *testing.T) {
	tests := []struct {
		code string
		busy bool
	}{
		{"55P03", true}, // lock_timeout
		{"40001", true}, // serialization failure
		{"40P01", true}, // deadlock
		{"53300", true}, // too many connections
		{"57P03", true}, // starting up
		{"23505", false},
		{"42P01", false},
		{"57014", false}, // statement_timeout: a slow statement, not a busy server
	}
	for _, tt := range tests {
		pe := &pgconn.PgError{Code: tt.code, Message: "m"}
		for _, err := range []error{pe, fmt.Errorf("claim jobs: %w", pe)} {
			got := err
			markBusy(&got)
			if errors.Is(got, store.ErrBusy) != tt.busy {
				t.Errorf("%s (%v): busy %v, want %v", tt.code, err, !tt.busy, tt.busy)
			}
			var back *pgconn.PgError
			if !errors.As(got, &back) || back != pe {
				t.Errorf("%s: the server's error is lost: %v", tt.code, got)
			}
		}
	}
	var none error
	markBusy(&none)
	if none != nil {
		t.Errorf("nil marked: %v", none)
	}
	plain := errors.New("disk full")
	got := plain
	markBusy(&got)
	if got != plain {
		t.Errorf("an error without a SQLSTATE became %v", got)
	}
}
