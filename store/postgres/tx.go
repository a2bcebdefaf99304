package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Tx is the driver's store.Tx, valid only inside the WithTx callback. Its
// methods use WithTx's context with a per-statement timeout.
type Tx struct {
	tx      pgx.Tx
	ctx     context.Context
	timeout time.Duration
}

func (t *Tx) callCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.ctx, t.timeout)
}
