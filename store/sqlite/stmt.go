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
	// missed lists the queries run without a cached statement, for the
	// store to prepare once the transaction is over.
	missed *[]string
}

func (c stmtTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if !c.store.cacheStatements {
		return nil
	}
	st := c.store.cached(query)
	if st == nil {
		if c.missed != nil && !slices.Contains(*c.missed, query) {
			*c.missed = append(*c.missed, query)
		}
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
