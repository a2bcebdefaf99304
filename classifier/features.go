package classifier

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// The model hashes features into a fixed number of buckets instead of
// keeping a vocabulary: training and classification then allocate no
// feature strings, and a collision between two rare features costs little.
const (
	hashBits    = 18
	hashBuckets = 1 << hashBits
)

// Feature kinds. Words and word pairs carry meaning; prefixes (the
// character n-grams that start a word, 4 to 7 letters) act as a cheap stemmer
// for Albanian and Serbian inflection (kontrata, kontratën, kontratave all
// share "kontrat") and survive most typos, which hit the end of a word as
// often as its start. Character n-grams from inside words were tried and
// dropped: on held-out folds of the corpus they added noise, not accuracy.
const (
	kindWord   byte = 'w'
	kindBigram byte = 'b'
	kindPrefix byte = 'p'
)

const (
	minPrefix = 4
	maxPrefix = 7
)

// featureName is a readable feature, named by a reason.
type featureName struct {
	bucket uint32
	kind   byte
	a, b   string
}

func (f featureName) text() string {
	if f.b == "" {
		return f.a
	}
	return f.a + " " + f.b
}

// sparseVec is a binary feature vector scaled to unit length: every present
// feature has the same weight, so a long formal email and a one-line
// Telegram message speak with the same loudness.
type sparseVec struct {
	idx []uint32
	val float32
}

// hashFeature is FNV-1a over the kind byte and the parts, separated by a
// space so that ("ab","c") and ("a","bc") differ.
func hashFeature(kind byte, a, b string) uint32 {
	const (
		offset = 2166136261
		prime  = 16777619
	)
	h := uint32(offset)
	h = (h ^ uint32(kind)) * prime
	for i := 0; i < len(a); i++ {
		h = (h ^ uint32(a[i])) * prime
	}
	if b != "" {
		h = (h ^ ' ') * prime
		for i := 0; i < len(b); i++ {
			h = (h ^ uint32(b[i])) * prime
		}
	}
	// Fold the high bits in so that the bucket uses the whole hash.
	return (h ^ (h >> hashBits)) & (hashBuckets - 1)
}

// tokens splits normalised text into words, leaving out bare numbers (dates,
// amounts, case numbers) that say nothing about the category.
func tokens(normalized string) []string {
	fields := strings.Fields(normalized)
	out := fields[:0]
	for _, f := range fields {
		if !allDigits(f) {
			out = append(out, f)
		}
	}
	return out
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// maxFeaturesPerToken bounds the features one token adds: the word, the
// pair it ends, and its prefixes.
const maxFeaturesPerToken = 2 + maxPrefix - minPrefix + 1

// visitFeatures calls visit for every feature of the tokens of normalised
// text, with the feature's parts (b is the second word of a pair, else
// empty).
func visitFeatures(toks []string, visit func(kind byte, a, b string)) {
	for i, t := range toks {
		visit(kindWord, t, "")
		if i > 0 {
			visit(kindBigram, toks[i-1], t)
		}
		// Rune boundaries, so that a prefix never splits a letter of a
		// script the folding left alone. Only the first maxPrefix+1 are
		// needed: a prefix is shorter than the word.
		var starts [maxPrefix + 1]int
		runes := 0
		for off := range t {
			if runes == len(starts) {
				break
			}
			starts[runes] = off
			runes++
		}
		for n := minPrefix; n <= maxPrefix && n < runes; n++ {
			visit(kindPrefix, t[:starts[n]], "")
		}
	}
}

// vectorize builds the feature vector of the tokens of normalised text.
func vectorize(toks []string) sparseVec {
	return newSparseVec(featureBuckets(toks))
}

// featureBuckets is the bucket of every feature of the tokens of normalised
// text, in the order visitFeatures visits them.
func featureBuckets(toks []string) []uint32 {
	buckets := make([]uint32, 0, len(toks)*maxFeaturesPerToken)
	visitFeatures(toks, func(kind byte, a, b string) {
		buckets = append(buckets, hashFeature(kind, a, b))
	})
	return buckets
}

// newSparseVec makes the vector of the features in buckets.
func newSparseVec(buckets []uint32) sparseVec {
	idx := slices.Compact(sortedBuckets(buckets))
	v := sparseVec{idx: idx}
	if len(idx) > 0 {
		v.val = float32(1 / math.Sqrt(float64(len(idx))))
	}
	return v
}

// radixBits is the width of the digit sortedBuckets sorts by in each pass.
const radixBits = 9

// sortedBuckets returns buckets sorted, leaving buckets as they are. It is
// a radix sort, a pass for each radixBits bits of a bucket number: a mail's
// hundred or so features sort in a third of the time a comparison sort
// takes.
func sortedBuckets(buckets []uint32) []uint32 {
	const digits = 1 << radixBits
	buf := make([]uint32, 2*len(buckets))
	src, dst, spare := buckets, buf[:len(buckets)], buf[len(buckets):]
	for shift := 0; shift < hashBits; shift += radixBits {
		// Counting sort by the digit at shift, stable, so that the order
		// of the lower digits sorted before is kept.
		var start [digits]int32
		for _, v := range src {
			start[(v>>shift)%digits]++
		}
		var sum int32
		for d, n := range start {
			start[d] = sum
			sum += n
		}
		for _, v := range src {
			d := (v >> shift) % digits
			dst[start[d]] = v
			start[d]++
		}
		// The next pass reads what this one wrote.
		src, dst, spare = dst, spare, dst
	}
	return src
}

// runeLen is the number of letters in s, for display decisions.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
