package train

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Schedule multiplies the base learning rate by a factor that depends on
// the fraction of training done, so that a schedule written for 200 epochs
// scales to any budget.
type Schedule struct {
	// Kind is "constant", "multistep" (×Gamma at each milestone), "step"
	// (×Gamma every Every of training) or "cosine" (half cosine to zero).
	Kind       string
	Milestones []float64 // fractions of training, for multistep
	Every      float64   // fraction of training, for step
	Gamma      float64
	// Warmup is the fraction of training over which the factor rises
	// linearly from 1/steps to the schedule's value.
	Warmup float64
}

// CIFARSchedule is the CIFAR recipe of the EL2N paper: ×0.2 at epochs
// 60, 120 and 160 of 200.
var CIFARSchedule = Schedule{Kind: "multistep", Milestones: []float64{0.3, 0.6, 0.8}, Gamma: 0.2}

// ImageNetSchedule is the paper's ImageNet recipe: ×0.1 at epochs 30, 60, 90
// and 100 of 105.
var ImageNetSchedule = Schedule{Kind: "multistep", Milestones: []float64{30. / 105, 60. / 105, 90. / 105, 100. / 105}, Gamma: 0.1}

// Factor is the learning-rate multiplier at step (0-based) of total steps.
func (s Schedule) Factor(step, total int) float64 {
	if total <= 0 {
		return 1
	}
	p := float64(step) / float64(total)
	f := 1.0
	switch s.Kind {
	case "", "constant":
	case "multistep":
		for _, m := range s.Milestones {
			if p >= m {
				f *= s.Gamma
			}
		}
	case "step":
		if s.Every > 0 {
			f = math.Pow(s.Gamma, math.Floor(p/s.Every))
		}
	case "cosine":
		f = 0.5 * (1 + math.Cos(math.Pi*p))
	}
	if s.Warmup > 0 && p < s.Warmup {
		f *= float64(step+1) / math.Max(1, s.Warmup*float64(total))
	}
	return f
}

// Validate reports a schedule that cannot be used.
func (s Schedule) Validate() error {
	switch s.Kind {
	case "", "constant", "cosine":
	case "multistep":
		for _, m := range s.Milestones {
			if m <= 0 || m >= 1 {
				return fmt.Errorf("schedule milestone %g is not a fraction of training in (0, 1)", m)
			}
		}
		if s.Gamma <= 0 {
			return fmt.Errorf("schedule gamma %g must be positive", s.Gamma)
		}
	case "step":
		if s.Every <= 0 || s.Every >= 1 || s.Gamma <= 0 {
			return fmt.Errorf("step schedule needs every in (0, 1) and gamma > 0, got %g and %g", s.Every, s.Gamma)
		}
	default:
		return fmt.Errorf("unknown schedule %q: use constant, multistep, step or cosine", s.Kind)
	}
	if s.Warmup < 0 || s.Warmup >= 1 {
		return fmt.Errorf("warmup %g is not a fraction of training in [0, 1)", s.Warmup)
	}
	return nil
}

// ParseSchedule reads "constant", "cosine", "multistep:0.3,0.6,0.8:0.2",
// "step:0.25:0.1" or "cifar" / "imagenet" (the recipes above), optionally
// followed by "+warmup:F". The empty text is the constant rate, as the zero
// Schedule is.
func ParseSchedule(text string) (Schedule, error) {
	var s Schedule
	main, warm, hasWarm := strings.Cut(text, "+warmup:")
	if hasWarm {
		w, err := strconv.ParseFloat(warm, 64)
		if err != nil {
			return s, fmt.Errorf("schedule %q: warmup %q is not a number", text, warm)
		}
		s.Warmup = w
	}
	parts := strings.Split(main, ":")
	floats := func(t string) ([]float64, error) {
		var out []float64
		for _, f := range strings.Split(t, ",") {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return nil, fmt.Errorf("schedule %q: %q is not a number", text, f)
			}
			out = append(out, v)
		}
		return out, nil
	}
	switch parts[0] {
	case "cifar":
		s.Kind, s.Milestones, s.Gamma = CIFARSchedule.Kind, CIFARSchedule.Milestones, CIFARSchedule.Gamma
	case "imagenet":
		s.Kind, s.Milestones, s.Gamma = ImageNetSchedule.Kind, ImageNetSchedule.Milestones, ImageNetSchedule.Gamma
	case "", "constant", "cosine":
		s.Kind = parts[0]
	case "multistep", "step":
		if len(parts) != 3 {
			return s, fmt.Errorf("schedule %q: write %s:FRACTIONS:GAMMA, e.g. multistep:0.3,0.6,0.8:0.2 or step:0.25:0.1", text, parts[0])
		}
		s.Kind = parts[0]
		fs, err := floats(parts[1])
		if err != nil {
			return s, err
		}
		g, err := floats(parts[2])
		if err != nil {
			return s, err
		}
		s.Gamma = g[0]
		if s.Kind == "step" {
			s.Every = fs[0]
		} else {
			s.Milestones = fs
		}
	default:
		return s, fmt.Errorf("unknown schedule %q: use constant, cosine, cifar, imagenet, multistep:F1,F2:GAMMA or step:F:GAMMA (+warmup:F)", text)
	}
	return s, s.Validate()
}
