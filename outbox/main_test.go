package outbox_test

import (
	"os"
	"testing"

	"sportel/internal/pgtest"
)

// cluster is the private PostgreSQL of the tests that run two instances
// on one database; it starts when one first asks for a database.
var cluster = pgtest.New()

func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }
