package classifier

import (
	"math"
	"math/rand/v2"
)

// numClasses matches inquiry.Categories; class i is inquiry.Categories[i].
const numClasses = 3

// Training settings. AdaGrad makes the step size per feature shrink with use,
// so rare but telling words still learn; the L2 decay keeps any one word from
// deciding alone, which is what lets the model generalise past its corpus.
const (
	trainEpochs   = 10
	learningRate  = 0.4
	l2Decay       = 1e-4
	adagradEps    = 1e-6
	shuffleSeedLo = 0x5350_4f52 // fixed: the same corpus always gives the same model
	shuffleSeedHi = 0x54454c
)

// softmaxModel is multinomial logistic regression over hashed features.
// The weights of one feature for all classes sit side by side
// (weights[bucket*numClasses+class]), so scoring a feature touches one cache
// line instead of three.
type softmaxModel struct {
	weights []float32
	bias    [numClasses]float32
}

type trainExample struct {
	vec   sparseVec
	class int
}

// settledGradient: an example whose every class gradient is below it is
// already learnt, and its update is skipped; later epochs then cost little.
const settledGradient = 1e-3

// trainSoftmax fits the model by AdaGrad SGD over a fixed shuffle order, so
// the result depends only on the examples and their order.
func trainSoftmax(examples []trainExample) *softmaxModel {
	m := &softmaxModel{weights: make([]float32, hashBuckets*numClasses)}
	sumSq := make([]float32, hashBuckets*numClasses)
	var biasSumSq [numClasses]float32

	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(shuffleSeedLo, shuffleSeedHi))

	var probs [numClasses]float64
	var grads [numClasses]float32
	for range trainEpochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, ei := range order {
			ex := &examples[ei]
			m.probabilities(ex.vec, &probs)
			settled := true
			for c := range numClasses {
				g := float32(probs[c])
				if c == ex.class {
					g -= 1
				}
				grads[c] = g
				if g > settledGradient || g < -settledGradient {
					settled = false
				}
			}
			if settled {
				continue
			}
			for c, g := range grads {
				biasSumSq[c] += g * g
				m.bias[c] -= learningRate * g / float32(math.Sqrt(float64(biasSumSq[c])+adagradEps))
			}
			for _, i := range ex.vec.idx {
				base := int(i) * numClasses
				w := m.weights[base : base+numClasses : base+numClasses]
				ss := sumSq[base : base+numClasses : base+numClasses]
				for c, g := range grads {
					grad := g*ex.vec.val + l2Decay*w[c]
					ss[c] += grad * grad
					w[c] -= learningRate * grad / float32(math.Sqrt(float64(ss[c])+adagradEps))
				}
			}
		}
	}
	return m
}

// probabilities writes the class probabilities of v into out.
func (m *softmaxModel) probabilities(v sparseVec, out *[numClasses]float64) {
	var sums [numClasses]float32
	for _, i := range v.idx {
		base := int(i) * numClasses
		w := m.weights[base : base+numClasses : base+numClasses]
		for c := range numClasses {
			sums[c] += w[c]
		}
	}
	var scores [numClasses]float64
	maxScore := math.Inf(-1)
	for c := range numClasses {
		scores[c] = float64(m.bias[c] + sums[c]*v.val)
		maxScore = math.Max(maxScore, scores[c])
	}
	var sum float64
	for c := range numClasses {
		out[c] = math.Exp(scores[c] - maxScore)
		sum += out[c]
	}
	for c := range numClasses {
		out[c] /= sum
	}
}

// influence is how much a feature pushes towards class c rather than the
// other classes.
func (m *softmaxModel) influence(bucket uint32, c int) float64 {
	base := int(bucket) * numClasses
	own := float64(m.weights[base+c])
	var others float64
	for k := range numClasses {
		if k != c {
			others += float64(m.weights[base+k])
		}
	}
	return own - others/(numClasses-1)
}
