package classifier

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

//go:generate env SPORTEL_UPDATE_MODEL=1 go test -run ^TestTrainedModelUpToDate$ .

// trainedModel is the model trained from corpus/*.jsonl, written by
// TestTrainedModelUpToDate (which fails when the corpus or the training
// changed without it). Training took about 50 ms of a core at every start,
// while the daemon was connecting and reading its first mail; loading the
// weights takes about one.
//
//go:embed trained_model.bin
var trainedModel []byte

// trainedModelFile is trainedModel's source, for the test that writes it.
const trainedModelFile = "trained_model.bin"

// modelMagic starts an encoded model; the number changes with the format.
const modelMagic = "sportel softmax 1\n"

// encodeModel writes m compactly: the magic, the number of buckets and of
// classes, the biases, then each bucket with a nonzero weight as the gap
// from the previous such bucket and its weights (float32 bits, little
// endian). Most of the 2^18 buckets are never touched by the corpus.
func encodeModel(m *softmaxModel) []byte {
	out := []byte(modelMagic)
	out = binary.AppendUvarint(out, hashBuckets)
	out = binary.AppendUvarint(out, numClasses)
	for _, b := range m.bias {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(b))
	}
	var used []int
	for bucket := range hashBuckets {
		for _, w := range m.weights[bucket*numClasses : (bucket+1)*numClasses] {
			if w != 0 {
				used = append(used, bucket)
				break
			}
		}
	}
	out = binary.AppendUvarint(out, uint64(len(used)))
	prev := -1
	for _, bucket := range used {
		out = binary.AppendUvarint(out, uint64(bucket-prev))
		prev = bucket
		for _, w := range m.weights[bucket*numClasses : (bucket+1)*numClasses] {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(w))
		}
	}
	return out
}

// decodeModel reads what encodeModel wrote, refusing anything else whole.
func decodeModel(data []byte) (*softmaxModel, error) {
	rest, ok := bytes.CutPrefix(data, []byte(modelMagic))
	if !ok {
		return nil, errors.New("not a model of this version")
	}
	uvarint := func(what string) (uint64, error) {
		v, n := binary.Uvarint(rest)
		if n <= 0 {
			return 0, fmt.Errorf("%s: truncated", what)
		}
		rest = rest[n:]
		return v, nil
	}
	float := func(what string) (float32, error) {
		if len(rest) < 4 {
			return 0, fmt.Errorf("%s: truncated", what)
		}
		f := math.Float32frombits(binary.LittleEndian.Uint32(rest))
		rest = rest[4:]
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return 0, fmt.Errorf("%s: not a finite number", what)
		}
		return f, nil
	}
	buckets, err := uvarint("bucket count")
	if err != nil {
		return nil, err
	}
	classes, err := uvarint("class count")
	if err != nil {
		return nil, err
	}
	if buckets != hashBuckets || classes != numClasses {
		return nil, fmt.Errorf("model has %d buckets of %d classes, this build %d of %d", buckets, classes, hashBuckets, numClasses)
	}
	m := &softmaxModel{weights: make([]float32, hashBuckets*numClasses)}
	for c := range m.bias {
		if m.bias[c], err = float("bias"); err != nil {
			return nil, err
		}
	}
	used, err := uvarint("used bucket count")
	if err != nil {
		return nil, err
	}
	if used > hashBuckets {
		return nil, fmt.Errorf("%d used buckets of %d", used, hashBuckets)
	}
	bucket := -1
	for range used {
		gap, err := uvarint("bucket gap")
		if err != nil {
			return nil, err
		}
		if gap == 0 || gap > uint64(hashBuckets-1-bucket) {
			return nil, fmt.Errorf("bucket gap %d after bucket %d: out of order or out of range", gap, bucket)
		}
		bucket += int(gap)
		for c := range numClasses {
			if m.weights[bucket*numClasses+c], err = float("weight"); err != nil {
				return nil, err
			}
		}
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d bytes after the last weight", len(rest))
	}
	return m, nil
}
