package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Stats summarises an experiment over seeds.
type Stats struct {
	Config
	Seeds     int
	EpsMean   float64 // mean test error arccos(R)/π
	EpsSEM    float64 // standard error of the mean
	KappaMean float64 // mean max-margin κ
	Eps       []float64
}

// Run repeats the experiment for seeds 0..seeds-1 (each seed fixes the
// teacher, probe and data; the solver is exact), in parallel on all CPUs.
func Run(c Config, seeds int, opt Options) (Stats, error) {
	if err := c.Validate(); err != nil {
		return Stats{}, err
	}
	if seeds < 1 {
		return Stats{}, fmt.Errorf("need at least one seed, got %d", seeds)
	}
	eps := make([]float64, seeds)
	kap := make([]float64, seeds)
	err := ForEach(seeds, func(s int) error {
		rng := rand.New(rand.NewPCG(uint64(s), 0x5eed))
		inst, err := Draw(c, rng)
		if err != nil {
			return err
		}
		res, err := MaxMargin(inst.X, inst.Y, inst.N, opt)
		if err != nil {
			return fmt.Errorf("seed %d: %w", s, err)
		}
		eps[s] = inst.GeneralisationError(res.W)
		kap[s] = res.Kappa
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Config: c, Seeds: seeds, Eps: eps}
	st.EpsMean, st.EpsSEM = meanSEM(eps)
	st.KappaMean, _ = meanSEM(kap)
	return st, nil
}

func meanSEM(xs []float64) (mean, sem float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1) / float64(len(xs)))
}
