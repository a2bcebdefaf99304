package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"sportel/store"
)

// testOnlyBusyIsMarkedBusy: an error that is not the database being busy
// is not marked store.ErrBusy, and fn's own error comes back from WithTx
// unchanged. Each driver's own tests hold real locks for the busy side.
func testOnlyBusyIsMarkedBusy(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	now := time.Now()
	if err := s.WithTx(ctx, func(tx store.Tx) error { return tx.MarkSource("src", 0, now) }); err != nil {
		t.Fatal(err)
	}
	err := s.WithTx(ctx, func(tx store.Tx) error { return tx.MarkSource("src", 0, now) })
	if !errors.Is(err, store.ErrSourceTaken) || errors.Is(err, store.ErrBusy) {
		t.Errorf("a source taken twice: %v, want ErrSourceTaken, not busy", err)
	}
	own := errors.New("the caller's own")
	if err := s.WithTx(ctx, func(store.Tx) error { return own }); err != own {
		t.Errorf("fn's error came back as %v, want it unchanged", err)
	}
}
