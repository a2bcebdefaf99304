package classifier

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"strings"
	"testing"
)

// TestTrainedModelUpToDate checks that trained_model.bin is the model the
// corpus and the training code give now. With SPORTEL_UPDATE_MODEL=1 (what
// `go generate` sets) it rewrites the file instead. Weights may differ in
// their last bits where a platform fuses multiply-adds; nothing else may.
func TestTrainedModelUpToDate(t *testing.T) {
	fresh, err := train(DefaultReviewThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("SPORTEL_UPDATE_MODEL") == "1" {
		enc := encodeModel(fresh.model)
		if err := os.WriteFile(trainedModelFile, enc, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", trainedModelFile, len(enc))
		return
	}
	embedded, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	const tolerance = 1e-4
	stale := func(what string, i int, have, want float32) {
		t.Fatalf("%s is stale (%s %d: %v, training gives %v): the corpus or the training changed; run `go generate ./classifier`",
			trainedModelFile, what, i, have, want)
	}
	for c, want := range fresh.model.bias {
		if have := embedded.model.bias[c]; math.Abs(float64(have-want)) > tolerance {
			stale("bias", c, have, want)
		}
	}
	for i, want := range fresh.model.weights {
		have := embedded.model.weights[i]
		if (have == 0) != (want == 0) || math.Abs(float64(have-want)) > tolerance*max(1, math.Abs(float64(want))) {
			stale("weight", i, have, want)
		}
	}
}

// TestDecodeModelRefusesDamage: a model file that is cut short, has bytes
// after it, or names buckets out of order or out of range is refused
// whole, never loaded in part.
func TestDecodeModelRefusesDamage(t *testing.T) {
	m := &softmaxModel{weights: make([]float32, hashBuckets*numClasses), bias: [numClasses]float32{0.5, -0.25, 0}}
	m.weights[3*numClasses+1] = 1.5
	m.weights[(hashBuckets-1)*numClasses] = -2
	good := encodeModel(m)
	back, err := decodeModel(good)
	if err != nil {
		t.Fatalf("decode what encodeModel wrote: %v", err)
	}
	if back.bias != m.bias || back.weights[3*numClasses+1] != 1.5 || back.weights[(hashBuckets-1)*numClasses] != -2 {
		t.Fatalf("decoded model differs: bias %v", back.bias)
	}

	header := func(buckets, classes uint64) []byte {
		b := binary.AppendUvarint([]byte(modelMagic), buckets)
		return binary.AppendUvarint(b, classes)
	}
	withEntries := func(entries ...uint64) []byte {
		b := header(hashBuckets, numClasses)
		b = append(b, make([]byte, 4*numClasses)...) // biases 0
		b = binary.AppendUvarint(b, uint64(len(entries)))
		for _, gap := range entries {
			b = binary.AppendUvarint(b, gap)
			b = append(b, make([]byte, 4*numClasses)...)
		}
		return b
	}
	nan := binary.LittleEndian.AppendUint32(header(hashBuckets, numClasses), math.Float32bits(float32(math.NaN())))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a model"},
		{"other format", []byte("sportel softmax 2\n"), "not a model"},
		{"cut in the header", good[:len(modelMagic)+1], "truncated"},
		{"cut in the weights", good[:len(good)-3], "truncated"},
		{"bytes after", append(bytes.Clone(good), 0), "after the last weight"},
		{"built for other buckets", append(header(1<<10, numClasses), make([]byte, 64)...), "this build"},
		{"built for other classes", append(header(hashBuckets, 4), make([]byte, 64)...), "this build"},
		{"not a number", append(nan, make([]byte, 64)...), "not a finite number"},
		{"repeated bucket", withEntries(5, 0), "out of order"},
		{"past the last bucket", withEntries(hashBuckets + 1), "out of range"},
		{"more buckets than there are", binary.AppendUvarint(append(header(hashBuckets, numClasses), make([]byte, 4*numClasses)...), hashBuckets+1), "used buckets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeModel(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("decode: err %v, want one saying %q", err, tt.want)
			}
		})
	}
}
