package postgres_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"sportel/internal/pgtest"
	"sportel/store"
	"sportel/store/postgres"
	"sportel/store/storetest"
)

// cluster is this package's private PostgreSQL, started by the first test
// that needs it and stopped by TestMain.
var cluster = pgtest.New()

func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }

// openFresh opens the store on a new database and closes it when t ends.
func openFresh(t testing.TB) (*postgres.Store, string) {
	t.Helper()
	dsn := cluster.Database(t)
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s, dsn
}

// TestContract holds the PostgreSQL store to the driver-neutral contract
// the SQLite store passes.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openFresh(t)
		return s
	})
}

// openInLocale opens the store on a new database whose character
// classification and collation are locale's (the test cluster's own is
// C): what a server set up with the system's locale gives, where lower()
// and the regular expressions know more than ASCII.
func openInLocale(t *testing.T, locale string) *postgres.Store {
	t.Helper()
	ctx := context.Background()
	admin := rawConn(t, cluster.Database(t))
	name := fmt.Sprintf("loc%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE '%s' LC_CTYPE '%s'`,
		name, locale, locale)); err != nil {
		t.Skipf("no database in locale %s: %v", locale, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	var port string
	if err := admin.QueryRow(ctx, `SELECT current_setting('port')`).Scan(&port); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(ctx, fmt.Sprintf("host=127.0.0.1 port=%s user=postgres dbname=%s sslmode=disable", port, name))
	if err != nil {
		t.Fatalf("open the store in locale %s: %v", locale, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

// TestContractUTF8Locale holds the store to the contract's text handling in
// a database with a UTF-8 locale, as most servers are set up: the tests'
// cluster is in the C locale, which hid what lower() does elsewhere.
func TestContractUTF8Locale(t *testing.T) {
	storetest.RunText(t, func(t *testing.T) store.Store { return openInLocale(t, "C.utf8") })
}
