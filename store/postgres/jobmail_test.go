package postgres_test

import (
	"context"
	"testing"

	"sportel/store/storetest"
)

// Migration 0014: a job's mail text in mail_text, rows written before it
// with their text in the JSON.
func TestJobMailText(t *testing.T) {
	ctx := context.Background()
	s, dsn := openFresh(t)
	raw := rawConn(t, dsn)
	storetest.JobMailText(t, s,
		func(t *testing.T, id int64) (string, *string) {
			var mail string
			var text *string
			if err := raw.QueryRow(ctx, `SELECT mail::text, mail_text FROM jobs WHERE id = $1`, id).Scan(&mail, &text); err != nil {
				t.Fatal(err)
			}
			return mail, text
		},
		func(t *testing.T, id int64, mailJSON string) {
			if _, err := raw.Exec(ctx, `UPDATE jobs SET mail = $1, mail_text = NULL WHERE id = $2`, mailJSON, id); err != nil {
				t.Fatal(err)
			}
		})
}
