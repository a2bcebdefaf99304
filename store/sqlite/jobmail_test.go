package sqlite_test

import (
	"database/sql"
	"testing"

	"sportel/store/storetest"
)

// Migration 0017: a job's mail text in mail_text, rows written before it
// with their text in the JSON.
func TestJobMailText(t *testing.T) {
	s, path := openTemp(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.JobMailText(t, s,
		func(t *testing.T, id int64) (string, *string) {
			var mail string
			var text sql.NullString
			if err := db.QueryRow(`SELECT mail, mail_text FROM jobs WHERE id = ?`, id).Scan(&mail, &text); err != nil {
				t.Fatal(err)
			}
			if !text.Valid {
				return mail, nil
			}
			return mail, &text.String
		},
		func(t *testing.T, id int64, mailJSON string) {
			if _, err := db.Exec(`UPDATE jobs SET mail = ?, mail_text = NULL WHERE id = ?`, mailJSON, id); err != nil {
				t.Fatal(err)
			}
		})
}
