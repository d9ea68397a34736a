package transfer

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// LinearProbe is multinomial logistic regression on frozen features: the
// standard way to read how much a representation knows about a task
// without changing it. Features are standardised (the training set's mean
// and standard deviation per dimension) and the weights carry an L2
// penalty; the fit is deterministic (L-BFGS from zero).
type LinearProbe struct {
	Dim, Classes int
	Mean, Scale  []float64
	W            *mat.Dense // (Dim+1) × Classes, the last row the bias
}

// DefaultProbeL2 is the probe's L2 penalty on the weights (not the bias),
// per example: small enough not to bias a probe on tens of thousands of
// examples, large enough that separable features keep finite weights.
const DefaultProbeL2 = 1e-4

// FitLinearProbe fits a probe to n = len(labels) feature rows x (n × dim,
// row-major) with labels in [0, classes).
func FitLinearProbe(x []float32, labels []int32, dim, classes int, l2 float64) (*LinearProbe, error) {
	n := len(labels)
	switch {
	case n == 0 || dim <= 0 || classes < 2:
		return nil, fmt.Errorf("linear probe: %d examples of %d features in %d classes: need examples, features and at least 2 classes", n, dim, classes)
	case len(x) != n*dim:
		return nil, fmt.Errorf("linear probe: %d feature values for %d examples of %d features", len(x), n, dim)
	}
	for i, l := range labels {
		if l < 0 || int(l) >= classes {
			return nil, fmt.Errorf("linear probe: example %d has label %d outside [0, %d)", i, l, classes)
		}
	}
	p := &LinearProbe{Dim: dim, Classes: classes, Mean: make([]float64, dim), Scale: make([]float64, dim)}
	for i := 0; i < n; i++ {
		for d := 0; d < dim; d++ {
			p.Mean[d] += float64(x[i*dim+d])
		}
	}
	for d := range p.Mean {
		p.Mean[d] /= float64(n)
	}
	for i := 0; i < n; i++ {
		for d := 0; d < dim; d++ {
			v := float64(x[i*dim+d]) - p.Mean[d]
			p.Scale[d] += v * v
		}
	}
	for d := range p.Scale {
		p.Scale[d] = math.Sqrt(p.Scale[d] / float64(n))
		if !(p.Scale[d] > 1e-12) {
			p.Scale[d] = 1 // a constant feature carries nothing
		}
	}
	xs := p.design(x, n)
	obj := probeObjective{x: xs, labels: labels, classes: classes, l2: l2}
	w0 := make([]float64, (dim+1)*classes)
	res, err := optimize.Minimize(optimize.Problem{Func: obj.loss, Grad: obj.grad}, w0,
		&optimize.Settings{GradientThreshold: 1e-6, MajorIterations: 1000}, &optimize.LBFGS{})
	if err != nil && res == nil {
		return nil, fmt.Errorf("linear probe: %w", err)
	}
	if res.Status != optimize.GradientThreshold && res.Status != optimize.FunctionConvergence && res.Status != optimize.IterationLimit {
		if err != nil && !errors.Is(err, optimize.ErrLinesearcherFailure) {
			return nil, fmt.Errorf("linear probe: %w", err)
		}
	}
	p.W = mat.NewDense(dim+1, classes, res.X)
	return p, nil
}

// design is the standardised features with a constant 1 column (the bias).
func (p *LinearProbe) design(x []float32, n int) *mat.Dense {
	out := mat.NewDense(n, p.Dim+1, nil)
	for i := 0; i < n; i++ {
		row := out.RawRowView(i)
		for d := 0; d < p.Dim; d++ {
			row[d] = (float64(x[i*p.Dim+d]) - p.Mean[d]) / p.Scale[d]
		}
		row[p.Dim] = 1
	}
	return out
}

// Predict returns the most probable class of each feature row.
func (p *LinearProbe) Predict(x []float32) ([]int32, error) {
	if len(x)%p.Dim != 0 {
		return nil, fmt.Errorf("linear probe: %d feature values are not rows of %d", len(x), p.Dim)
	}
	n := len(x) / p.Dim
	var z mat.Dense
	z.Mul(p.design(x, n), p.W)
	out := make([]int32, n)
	for i := 0; i < n; i++ {
		row := z.RawRowView(i)
		best := 0
		for c := range row {
			if row[c] > row[best] {
				best = c
			}
		}
		out[i] = int32(best)
	}
	return out, nil
}

// probeObjective is the mean cross-entropy plus l2/2·|W|² (the bias row
// unpenalised) of a probe with weights w, (dim+1) × classes row-major.
type probeObjective struct {
	x       *mat.Dense
	labels  []int32
	classes int
	l2      float64
}

// probabilities returns softmax(x·W) and the mean cross-entropy.
func (o probeObjective) probabilities(w []float64) (*mat.Dense, float64) {
	rows, cols := o.x.Dims()
	wm := mat.NewDense(cols, o.classes, w)
	var z mat.Dense
	z.Mul(o.x, wm)
	var ce float64
	for i := 0; i < rows; i++ {
		row := z.RawRowView(i)
		m := row[0]
		for _, v := range row {
			m = math.Max(m, v)
		}
		var s float64
		for c := range row {
			row[c] = math.Exp(row[c] - m)
			s += row[c]
		}
		for c := range row {
			row[c] /= s
		}
		ce -= math.Log(math.Max(row[o.labels[i]], 1e-300))
	}
	return &z, ce / float64(rows)
}

func (o probeObjective) loss(w []float64) float64 {
	_, ce := o.probabilities(w)
	return ce + o.penalty(w)
}

func (o probeObjective) penalty(w []float64) float64 {
	_, cols := o.x.Dims()
	var s float64
	for i := 0; i < (cols-1)*o.classes; i++ { // not the bias row
		s += w[i] * w[i]
	}
	return 0.5 * o.l2 * s
}

func (o probeObjective) grad(g, w []float64) {
	rows, cols := o.x.Dims()
	p, _ := o.probabilities(w)
	for i := 0; i < rows; i++ {
		p.Set(i, int(o.labels[i]), p.At(i, int(o.labels[i]))-1)
	}
	gm := mat.NewDense(cols, o.classes, g)
	gm.Mul(o.x.T(), p)
	gm.Scale(1/float64(rows), gm)
	for i := 0; i < (cols-1)*o.classes; i++ {
		g[i] += o.l2 * w[i]
	}
}
