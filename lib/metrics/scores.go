package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"beyondscaling/lib/kmeans"
)

// softmaxRow writes the softmax of logits into p.
func softmaxRow(logits []float32, p []float64) {
	m := math.Inf(-1)
	for _, v := range logits {
		m = math.Max(m, float64(v))
	}
	s := 0.0
	for c, v := range logits {
		p[c] = math.Exp(float64(v) - m)
		s += p[c]
	}
	for c := range p {
		p[c] /= s
	}
}

// EL2N is the mean over networks of ‖softmax(f(x)) − onehot(y)‖₂ (Paul et
// al. 2021). logits[m] is network m's N×C logits.
func EL2N(logits [][]float32, labels []int32, classes int) []float64 {
	n := len(labels)
	out := make([]float64, n)
	p := make([]float64, classes)
	for _, l := range logits {
		for i := 0; i < n; i++ {
			softmaxRow(l[i*classes:(i+1)*classes], p)
			s := 0.0
			for c := range p {
				d := p[c]
				if c == int(labels[i]) {
					d -= 1
				}
				s += d * d
			}
			out[i] += math.Sqrt(s) / float64(len(logits))
		}
	}
	return out
}

// GraNd is the mean over networks of the norm of the loss gradient with
// respect to the last layer's weights and bias, ‖p − y‖₂·√(‖h‖² + 1) for
// penultimate features h: the part of Paul et al.'s GraNd that can be had
// without per-example backward passes through the whole network (the full
// gradient norm is dominated by, and ranks like, this term in their
// analysis). features[m] is network m's N×dim features.
func GraNd(logits, features [][]float32, labels []int32, classes, dim int) []float64 {
	el := make([][]float64, len(logits))
	for m := range logits {
		el[m] = EL2N(logits[m:m+1], labels, classes)
	}
	out := make([]float64, len(labels))
	for m := range logits {
		for i := range out {
			h := 0.0
			for _, v := range features[m][i*dim : (i+1)*dim] {
				h += float64(v) * float64(v)
			}
			out[i] += el[m][i] * math.Sqrt(h+1) / float64(len(logits))
		}
	}
	return out
}

// Forgetting counts, per example, the transitions from correct to incorrect
// between consecutive presentations in training (Toneva et al. 2019);
// examples never classified correctly get the maximum, epochs (they are
// "forgotten" more than any learned example can be). correct[e][i] is 1, 0,
// or -1 when not presented in epoch e.
func Forgetting(correct [][]int8) []float64 {
	if len(correct) == 0 {
		return nil
	}
	n := len(correct[0])
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		prev, learned, events := int8(-1), false, 0
		for e := range correct {
			c := correct[e][i]
			if c < 0 {
				continue
			}
			if prev == 1 && c == 0 {
				events++
			}
			if c == 1 {
				learned = true
			}
			prev = c
		}
		if learned {
			out[i] = float64(events)
		} else {
			out[i] = float64(len(correct))
		}
	}
	return out
}

// AUM is minus the area under the margin (Pleiss et al. 2020): the mean
// over epochs of the label's logit minus the largest other logit, negated
// so that mislabelled and ambiguous examples (low margin) score high.
func AUM(margins [][]float32) []float64 {
	if len(margins) == 0 {
		return nil
	}
	n := len(margins[0])
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		s, k := 0.0, 0
		for e := range margins {
			if v := float64(margins[e][i]); !math.IsNaN(v) {
				s += v
				k++
			}
		}
		out[i] = -s / float64(max(k, 1))
	}
	return out
}

// Membership says which examples each subsampled network was trained on:
// member[k][i] for network k and training example i.
type Membership [][]bool

// Memorization is Feldman and Zhang's subsampled estimator:
// mem(i) = P[correct on i | i ∈ S] − P[correct on i | i ∉ S], the
// probabilities estimated over the networks trained with and without i.
// correct[k][i] says whether network k classifies training example i
// correctly. Examples never (or always) held out get 0 and a count of the
// networks that were.
func Memorization(member Membership, correct [][]bool) ([]float64, error) {
	if len(member) != len(correct) || len(member) == 0 {
		return nil, fmt.Errorf("memorization: %d membership rows for %d runs", len(member), len(correct))
	}
	n := len(member[0])
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		var in, inHit, outN, outHit float64
		for k := range member {
			hit := 0.0
			if correct[k][i] {
				hit = 1
			}
			if member[k][i] {
				in++
				inHit += hit
			} else {
				outN++
				outHit += hit
			}
		}
		if in > 0 && outN > 0 {
			out[i] = inHit/in - outHit/outN
		}
	}
	return out, nil
}

// Influence is the subsampled influence of each training example on each
// test example, infl(i, j) = P[correct on j | i ∈ S] − P[correct on j | i ∉ S]
// (Feldman and Zhang), reduced two ways: its maximum over j
// (influence-max) and the sum of its absolute values (influence-sum-abs).
// testCorrect[k][j] says whether network k classifies test example j
// correctly.
func Influence(member Membership, testCorrect [][]bool) (maxInfl, sumAbs []float64, err error) {
	K := len(member)
	if K == 0 || len(testCorrect) != K {
		return nil, nil, fmt.Errorf("influence: %d membership rows for %d runs", K, len(testCorrect))
	}
	n, t := len(member[0]), len(testCorrect[0])
	// hits[k][j] as float, and the total over all networks per test example.
	total := make([]float64, t)
	for k := 0; k < K; k++ {
		for j, c := range testCorrect[k] {
			if c {
				total[j]++
			}
		}
	}
	maxInfl, sumAbs = make([]float64, n), make([]float64, n)
	inHits := make([]float64, t)
	for i := 0; i < n; i++ {
		clear(inHits)
		in := 0.0
		for k := 0; k < K; k++ {
			if !member[k][i] {
				continue
			}
			in++
			for j, c := range testCorrect[k] {
				if c {
					inHits[j]++
				}
			}
		}
		outN := float64(K) - in
		if in == 0 || outN == 0 {
			continue
		}
		best, s := math.Inf(-1), 0.0
		for j := 0; j < t; j++ {
			v := inHits[j]/in - (total[j]-inHits[j])/outN
			best = math.Max(best, v)
			s += math.Abs(v)
		}
		maxInfl[i], sumAbs[i] = best, s
	}
	return maxInfl, sumAbs, nil
}

// DDD is dichotomous data difficulty (Meding et al. 2022) as a score: one
// minus the fraction of held-out networks (those not trained on the
// example) that classify it correctly. 1 is "impossible" (no network gets
// it), 0 "trivial" (all do), in between the rest.
func DDD(member Membership, correct [][]bool) []float64 {
	n := len(member[0])
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		var held, hits float64
		for k := range member {
			if !member[k][i] {
				held++
				if correct[k][i] {
					hits++
				}
			}
		}
		if held > 0 {
			out[i] = 1 - hits/held
		} else {
			out[i] = 0.5
		}
	}
	return out
}

// EnsembleEntropy is the entropy (nats) of the ensemble's mean softmax, the
// uncertainty that ensemble active learning (Chitta et al.) selects by.
func EnsembleEntropy(logits [][]float32, n, classes int) []float64 {
	out := make([]float64, n)
	p := make([]float64, classes)
	mean := make([]float64, classes)
	for i := 0; i < n; i++ {
		clear(mean)
		for _, l := range logits {
			softmaxRow(l[i*classes:(i+1)*classes], p)
			for c := range p {
				mean[c] += p[c] / float64(len(logits))
			}
		}
		h := 0.0
		for _, q := range mean {
			if q > 0 {
				h -= q * math.Log(q)
			}
		}
		out[i] = h
	}
	return out
}

// SupervisedPrototypes is the cosine distance of each embedding to the
// mean (unit-normalised) embedding of its own class.
func SupervisedPrototypes(emb []float32, dim int, labels []int32, classes int) []float64 {
	n := len(labels)
	unit := normalisedRows(emb, n, dim)
	proto := make([][]float64, classes)
	for c := range proto {
		proto[c] = make([]float64, dim)
	}
	for i := 0; i < n; i++ {
		for d := 0; d < dim; d++ {
			proto[labels[i]][d] += unit[i*dim+d]
		}
	}
	for c := range proto {
		norm := 0.0
		for _, v := range proto[c] {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		for d := range proto[c] {
			if norm > 0 {
				proto[c][d] /= norm
			}
		}
	}
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		dot := 0.0
		for d := 0; d < dim; d++ {
			dot += unit[i*dim+d] * proto[labels[i]][d]
		}
		out[i] = 1 - dot
	}
	return out
}

func normalisedRows(emb []float32, n, dim int) []float64 {
	out := make([]float64, n*dim)
	for i := 0; i < n; i++ {
		norm := 0.0
		for _, v := range emb[i*dim : (i+1)*dim] {
			norm += float64(v) * float64(v)
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			norm = 1
		}
		for d := 0; d < dim; d++ {
			out[i*dim+d] = float64(emb[i*dim+d]) / norm
		}
	}
	return out
}

// SelfSupervisedPrototypes clusters embeddings with spherical k-means
// (k-means++ seeding) and scores each example by its cosine distance to the
// nearest centroid: prototypical examples (near a centroid) are easy.
func SelfSupervisedPrototypes(emb []float32, n, dim, k int, seed uint64) ([]float64, error) {
	x := mat.NewDense(n, dim, nil)
	for i := 0; i < n; i++ {
		for d := 0; d < dim; d++ {
			x.Set(i, d, float64(emb[i*dim+d]))
		}
	}
	res, err := kmeans.Cluster(x, kmeans.Options{K: k, Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("self-supervised prototypes: %w", err)
	}
	return res.Dist, nil
}

// Random is uniform scores in [0, 1) from a seed.
func Random(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x7a2d))
	out := make([]float64, n)
	for i := range out {
		out[i] = rng.Float64()
	}
	return out
}
