package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"sportel/store/storetest"
)

// BenchmarkSearch: full-text search over 3,000 tickets of realistic mail,
// after ANALYZE, as autovacuum would have run on a store filled over time.
func BenchmarkSearch(b *testing.B) {
	s, dsn := openFresh(b)
	storetest.FillSearch(b, s, 3000)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	storetest.RunSearch(b, s)
}
