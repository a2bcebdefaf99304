package postgres

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"sportel/store"
)

// The SQLSTATEs of a server too busy for now are marked store.ErrBusy, and
// those of a session the server ended store.ErrConnLost, as the server's
// error comes back from pgx or wrapped, keeping it in the chain; every
// other state, and an error without one, is neither.
func TestMarkBusyStates(t *testing.T) {
	tests := []struct {
		code       string
		busy, lost bool
	}{
		{"55P03", true, false}, // lock_timeout
		{"40001", true, false}, // serialization failure
		{"40P01", true, false}, // deadlock
		{"53300", true, false}, // too many connections
		{"57P03", true, false}, // starting up
		{"57P01", false, true}, // terminated by an administrator
		{"57P02", false, true}, // another backend crashed
		{"08006", false, true}, // connection failure
		{"23505", false, false},
		{"42P01", false, false},
		{"57014", false, false}, // statement_timeout: a slow statement, not a busy server
	}
	for _, tt := range tests {
		pe := &pgconn.PgError{Code: tt.code, Message: "m"}
		for _, err := range []error{pe, fmt.Errorf("claim jobs: %w", pe)} {
			got := err
			markBusy(&got)
			if errors.Is(got, store.ErrBusy) != tt.busy {
				t.Errorf("%s (%v): busy %v, want %v", tt.code, err, !tt.busy, tt.busy)
			}
			if errors.Is(got, store.ErrConnLost) != tt.lost {
				t.Errorf("%s (%v): connection lost %v, want %v", tt.code, err, !tt.lost, tt.lost)
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
