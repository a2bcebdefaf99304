package store

import "fmt"

// OlderSchemaError is a database whose schema is older than this program's
// migrations, met where the store must not migrate it (a read-only open).
// Callers tell the operator how to upgrade it in their own words.
type OlderSchemaError struct {
	Have, Want int // the database's newest migration; this program's
}

func (e *OlderSchemaError) Error() string {
	return fmt.Sprintf("database schema version %d is older than this program's (%d)", e.Have, e.Want)
}
