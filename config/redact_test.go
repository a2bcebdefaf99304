package config

import "testing"

// check-config prints the store's DSN through redactDSN: no password may
// show, whatever characters it holds, and the rest stays readable.
func TestRedactDSN(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://sportel:Pa55w0rd@db.mkrs.example/sportel", "postgres://sportel:xxxxx@db.mkrs.example/sportel"},
		{"postgres://sportel:Kosova#2026@db.mkrs.example/sportel", "postgres://sportel:xxxxx@db.mkrs.example/sportel"},
		{"postgres://sportel:pa?ss9@db.mkrs.example/sportel?sslmode=verify-full", "postgres://sportel:xxxxx@db.mkrs.example/sportel?sslmode=verify-full"},
		{"postgresql://sportel:pa/ss@9@db.mkrs.example:5433/sportel", "postgresql://sportel:xxxxx@db.mkrs.example:5433/sportel"},
		{"postgres://sportel@db.mkrs.example/sportel", "postgres://sportel@db.mkrs.example/sportel"},
		{"host=db dbname=sportel user=sportel password=s3cret sslmode=verify-full", "host=db dbname=sportel user=sportel password=xxxxx sslmode=verify-full"},
		{`host=db user=sportel password='it\'s a secret' dbname=sportel`, "host=db user=sportel password=xxxxx dbname=sportel"},
		{"host=db user=sportel password = 's e c r e t'", "host=db user=sportel password = xxxxx"},
		{"host=db user=sportel password='unterminated secret", "host=db user=sportel password=xxxxx"},
		{"/var/lib/sportel/sportel.db", "/var/lib/sportel/sportel.db"},
		{"postgres://sportel@db.mkrs.example/sportel?sslmode=verify-full&password=Hunter2-S3cret", "postgres://sportel@db.mkrs.example/sportel?sslmode=verify-full&password=xxxxx"},
		{"postgresql:///sportel?host=/run/postgresql&password=a@b:c&user=sportel", "postgresql:///sportel?host=/run/postgresql&password=xxxxx&user=sportel"},
	}
	for _, tt := range tests {
		if got := redactDSN(tt.dsn); got != tt.want {
			t.Errorf("redactDSN(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}
