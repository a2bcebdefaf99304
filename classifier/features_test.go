package classifier

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortedBuckets(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	tests := [][]uint32{
		nil,
		{7},
		{hashBuckets - 1, 0, 1 << radixBits, 1<<radixBits - 1, 0, hashBuckets - 1},
	}
	for _, n := range []int{2, 50, 1000} {
		b := make([]uint32, n)
		for i := range b {
			b[i] = r.Uint32N(hashBuckets)
		}
		tests = append(tests, b)
	}
	for _, buckets := range tests {
		before := slices.Clone(buckets)
		got := sortedBuckets(buckets)
		if want := slices.Sorted(slices.Values(buckets)); !slices.Equal(got, want) {
			t.Errorf("sortedBuckets(%v) = %v, want %v", buckets, got, want)
		}
		if !slices.Equal(buckets, before) {
			t.Errorf("sortedBuckets changed its argument %v to %v", before, buckets)
		}
	}
}
