package drivers_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"sportel/store/drivers"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		opts    drivers.Options
		wantErr string
	}{
		{"sqlite file", drivers.Options{Driver: "sqlite", DSN: filepath.Join(dir, "a.db")}, ""},
		{"sqlite in memory, normal sync", drivers.Options{Driver: "sqlite", DSN: ":memory:", Synchronous: "normal"}, ""},
		{"unknown driver", drivers.Options{Driver: "oracle", DSN: "x"}, `driver "oracle" is not available`},
		{"bad sync level", drivers.Options{Driver: "sqlite", DSN: filepath.Join(dir, "b.db"), Synchronous: "off"}, "synchronous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := drivers.Open(context.Background(), tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Open: %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if n, err := st.CountTickets(context.Background()); err != nil || n != 0 {
				t.Errorf("a new store counts %d tickets (err %v)", n, err)
			}
		})
	}
}
