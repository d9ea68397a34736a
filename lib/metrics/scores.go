package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

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

// GraNd is the last-layer GraNd, registered as grand-last-layer: the mean
// over networks of the norm of the loss gradient with respect to the last
// layer's weights and bias only, ‖p − y‖₂·√(‖h‖² + 1) for penultimate
// features h. Paul et al.'s GraNd is the norm of the gradient with respect
// to every parameter; this is the part of it that needs no per-example
// backward pass through the network, and it is named as such wherever it
// is written. features[m] is network m's N×dim features.
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

// HeldOutDesign returns the training sets of k subset networks over n
// examples, each trained on round(fraction·n) of them, such that every
// example is held out of at least one network whenever a block of ⌈n/k⌉
// examples fits in a network's held-out set, about k ≥ 1/(1−fraction)
// (4 networks at the paper's 70%). Independent random subsets leave an
// example in all k of them with probability fraction^k (6% at 8 networks
// and 70%), and such an example has no held-out network: its
// memorization, influence and DDD are undefined. Here a random permutation
// deals the examples into k blocks; network k holds out its block and, to
// reach its held-out size, further examples drawn at random from outside
// the block. Each network's held-out set is still a uniformly random subset
// of its size; only the coverage is forced. Blocks larger than a network's
// held-out size (k < 1/(1−fraction)) are truncated, and the examples cut
// off may stay undefined: Compute counts and reports them.
func HeldOutDesign(n, k int, fraction float64, seed uint64) Membership {
	keep := int(fraction*float64(n) + 0.5)
	held := n - keep
	perm := rand.New(rand.NewPCG(seed, 0xb10c)).Perm(n)
	member := make(Membership, k)
	for net := 0; net < k; net++ {
		m := make([]bool, n)
		for i := range m {
			m[i] = true
		}
		lo, hi := net*n/k, (net+1)*n/k
		out := 0
		for _, i := range perm[lo:hi] {
			if out == held {
				break
			}
			m[i] = false
			out++
		}
		if out < held {
			// The rest of the held-out set: random examples outside the block.
			rest := make([]int, 0, n-(hi-lo))
			rest = append(rest, perm[:lo]...)
			rest = append(rest, perm[hi:]...)
			rng := rand.New(rand.NewPCG(seed, uint64(net)+1))
			rng.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
			for _, i := range rest[:held-out] {
				m[i] = false
			}
		}
		member[net] = m
	}
	return member
}

// Memorization is Feldman and Zhang's subsampled estimator:
// mem(i) = P[correct on i | i ∈ S] − P[correct on i | i ∉ S], the
// probabilities estimated over the networks trained with and without i.
// correct[k][i] says whether network k classifies training example i
// correctly. An example never held out of any network (or never trained
// on) has no estimate: it gets NaN, which Compute counts and imputes by a
// stated rule rather than a value that looks measured.
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
		} else {
			out[i] = math.NaN()
		}
	}
	return out, nil
}

// Influence is the subsampled influence of each training example on each
// test example, infl(i, j) = P[correct on j | i ∈ S] − P[correct on j | i ∉ S]
// (Feldman and Zhang), reduced two ways: its maximum over j
// (influence-max) and the sum of its absolute values (influence-sum-abs).
// testCorrect[k][j] says whether network k classifies test example j
// correctly. Examples without a network on each side get NaN (undefined),
// as in Memorization.
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
			maxInfl[i], sumAbs[i] = math.NaN(), math.NaN()
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
// it), 0 "trivial" (all do), in between the rest. An example with no
// held-out network gets NaN (undefined), as in Memorization.
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
			out[i] = math.NaN()
		}
	}
	return out
}

// EnsembleEntropy is the entropy (nats) of the ensemble's mean softmax, the
// uncertainty that ensemble active learning (Chitta et al.) selects by. In
// active learning the ensemble has never seen the labels of the examples it
// ranks, so the ensemble of each example is the networks held out of it
// (member[k][i] false), as in DDD; an example with no held-out network gets
// NaN (undefined). A nil member uses every network for every example.
func EnsembleEntropy(logits [][]float32, member Membership, n, classes int) []float64 {
	out := make([]float64, n)
	p := make([]float64, classes)
	mean := make([]float64, classes)
	for i := 0; i < n; i++ {
		clear(mean)
		k := 0
		for net, l := range logits {
			if member != nil && member[net][i] {
				continue
			}
			k++
			softmaxRow(l[i*classes:(i+1)*classes], p)
			for c := range p {
				mean[c] += p[c]
			}
		}
		if k == 0 {
			out[i] = math.NaN()
			continue
		}
		h := 0.0
		for _, q := range mean {
			if q /= float64(k); q > 0 {
				h -= q * math.Log(q)
			}
		}
		out[i] = h
	}
	return out
}

// MaxImputedFraction is the largest share of examples whose score may be
// imputed: beyond it a score file would rank too many examples by a rule
// rather than by a measurement, and Compute refuses with the count and the
// fix.
const MaxImputedFraction = 0.01

// ImputationRule is how undefined scores are filled in, as written into
// score files' sidecars.
const ImputationRule = "median of the defined scores"

// Imputation records the examples whose score was undefined (no held-out
// network) and the value they were given.
type Imputation struct {
	Undefined, Total int
	Value            float64 // the median of the defined scores (NaN when none)
	// Networks says which subset networks the metric averages over, for
	// the sidecar (ensemble-al and DDD: those held out of the example).
	Networks string
}

// ImputeMedian replaces every NaN of values by the median of the others,
// in place, and says how many there were. Score files never hold NaN.
func ImputeMedian(values []float64) Imputation {
	var defined []float64
	for _, v := range values {
		if !math.IsNaN(v) {
			defined = append(defined, v)
		}
	}
	imp := Imputation{Undefined: len(values) - len(defined), Total: len(values), Value: math.NaN()}
	if imp.Undefined == 0 || len(defined) == 0 {
		return imp
	}
	sort.Float64s(defined)
	h := len(defined) / 2
	imp.Value = defined[h]
	if len(defined)%2 == 0 {
		imp.Value = (defined[h-1] + defined[h]) / 2
	}
	for i, v := range values {
		if math.IsNaN(v) {
			values[i] = imp.Value
		}
	}
	return imp
}

// Params is the imputation as score-file sidecar parameters.
func (imp Imputation) Params() map[string]string {
	rule := ImputationRule
	if imp.Undefined > 0 {
		rule += fmt.Sprintf(" (%.6g)", imp.Value)
	}
	p := map[string]string{"undefined_examples": strconv.Itoa(imp.Undefined), "imputation": rule}
	if imp.Networks != "" {
		p["networks"] = imp.Networks
	}
	return p
}

// Caption is the imputation in words, for figure captions.
func (imp Imputation) Caption(metric string) string {
	if imp.Undefined == 0 {
		return fmt.Sprintf("%s: every example had a held-out network (none imputed)", metric)
	}
	return fmt.Sprintf("%s: %d of %d examples had no held-out network and got the %s, %.4g", metric, imp.Undefined, imp.Total, ImputationRule, imp.Value)
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
