package sqlite

import (
	"context"
	"database/sql"
)

// Statements are prepared once per connection and reused: parsing SQL was a
// fifth of the cost of taking a message in.

// prepared returns the store-wide prepared statement for query.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := s.stmts.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	// Only transactions use them, and every transaction is on wdb.
	st, err := s.wdb.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

func (s *Store) closeStatements() {
	s.stmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		s.stmts.Delete(k)
		return true
	})
}

// stmtTx runs a transaction's statements through the prepared ones; the
// transaction-bound copies close with the transaction.
type stmtTx struct {
	tx    *sql.Tx
	store *Store
}

func (c stmtTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if !c.store.cacheStatements {
		return nil
	}
	st, err := c.store.prepared(ctx, query)
	if err != nil {
		return nil
	}
	return c.tx.StmtContext(ctx, st)
}

func (c stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.tx.ExecContext(ctx, query, args...)
}

func (c stmtTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.tx.QueryContext(ctx, query, args...)
}

func (c stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.tx.QueryRowContext(ctx, query, args...)
}
