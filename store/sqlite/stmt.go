package sqlite

import (
	"context"
	"database/sql"
	"slices"
)

// Statements are prepared once per connection and reused: parsing SQL was a
// fifth of the cost of taking a message in.

// cached returns the store-wide prepared statement for query, if there is
// one yet.
func (s *Store) cached(query string) *sql.Stmt {
	if v, ok := s.stmts.Load(query); ok {
		return v.(*sql.Stmt)
	}
	return nil
}

// prepare adds the statements for queries to the cache. It runs after a
// transaction, not in it: every write goes through wdb's one connection,
// which the transaction holds while it runs, and database/sql prepares a
// store-wide statement on a connection of its own.
func (s *Store) prepare(ctx context.Context, queries []string) {
	for _, q := range queries {
		if s.cached(q) != nil {
			continue
		}
		st, err := s.wdb.PrepareContext(ctx, q)
		if err != nil {
			// The query ran unprepared in its transaction and will again.
			continue
		}
		if _, loaded := s.stmts.LoadOrStore(q, st); loaded {
			st.Close()
		}
	}
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
	// own holds what this transaction prepared itself; nil when the store
	// caches no statements.
	own *txStatements
}

// txStatements are a transaction's statements not in the store's cache yet.
// Each is prepared on the transaction's connection at its first use, so
// the rest of the transaction reuses it (a chunk of 32 mails runs each of
// the desk's statements 32 times: the first transaction after a start took
// twice as long as the next while each ran unprepared), and it is listed in
// missed for the store to cache once the transaction is over.
type txStatements struct {
	missed   []string
	prepared map[string]*sql.Stmt
	// txCtx is the transaction's context. When it ends, database/sql rolls
	// the transaction back and closes its statements: a statement of ours
	// then fails with "statement is closed", and is run again through the
	// transaction, which answers sql.ErrTxDone without running it, as the
	// cached ones do.
	txCtx context.Context
}

func (c stmtTx) stmt(ctx context.Context, query string) (st *sql.Stmt, own bool) {
	if !c.store.cacheStatements || c.own == nil {
		return nil, false
	}
	if st := c.store.cached(query); st != nil {
		return c.tx.StmtContext(ctx, st), false
	}
	if st, ok := c.own.prepared[query]; ok {
		return st, true
	}
	if !slices.Contains(c.own.missed, query) {
		c.own.missed = append(c.own.missed, query)
	}
	st, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		// Run unprepared: the statement's own error, if it has one, is
		// then the one the caller sees.
		return nil, false
	}
	if c.own.prepared == nil {
		c.own.prepared = make(map[string]*sql.Stmt)
	}
	c.own.prepared[query] = st
	return st, true
}

// ended reports whether a statement this transaction prepared failed
// because the transaction was ended under it (see txStatements.txCtx).
func (c stmtTx) ended(own bool, err error) bool {
	return own && err != nil && c.own.txCtx != nil && c.own.txCtx.Err() != nil
}

func (c stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, own := c.stmt(ctx, query); st != nil {
		res, err := st.ExecContext(ctx, args...)
		if !c.ended(own, err) {
			return res, err
		}
	}
	return c.tx.ExecContext(ctx, query, args...)
}

func (c stmtTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st, own := c.stmt(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		if !c.ended(own, err) {
			return rows, err
		}
	}
	return c.tx.QueryContext(ctx, query, args...)
}

func (c stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st, own := c.stmt(ctx, query); st != nil {
		row := st.QueryRowContext(ctx, args...)
		if !c.ended(own, row.Err()) {
			return row
		}
	}
	return c.tx.QueryRowContext(ctx, query, args...)
}

// writeQuery runs a fixed write outside a transaction (the caller holds
// lockWrite) through its cached statement, preparing it first when it is
// not cached yet: wdb's connection is free then.
func (s *Store) writeQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !s.cacheStatements {
		return s.wdb.QueryContext(ctx, query, args...)
	}
	if s.cached(query) == nil {
		s.prepare(ctx, []string{query})
	}
	if st := s.cached(query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.wdb.QueryContext(ctx, query, args...)
}
