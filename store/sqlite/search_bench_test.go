package sqlite_test

import (
	"testing"

	"sportel/store/storetest"
)

// BenchmarkSearch: full-text search over 3,000 tickets of realistic mail.
func BenchmarkSearch(b *testing.B) {
	s, _ := openTemp(b)
	storetest.BenchSearch(b, s, 3000)
}
