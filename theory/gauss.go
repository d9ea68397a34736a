package theory

import "math"

const (
	invSqrt2   = 0.70710678118654752440
	invSqrt2Pi = 0.39894228040143267794
)

// normPDF is the standard normal density φ(x).
func normPDF(x float64) float64 { return invSqrt2Pi * math.Exp(-0.5*x*x) }

// normCDF is the standard normal distribution function Φ(x). It is computed
// from erfc so that the lower tail keeps full relative precision.
func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x*invSqrt2) }

// gardnerH is H(x) = Φ(-x) = erfc(x/√2)/2, the Gaussian tail used by the paper.
func gardnerH(x float64) float64 { return 0.5 * math.Erfc(x*invSqrt2) }

// gardnerHInv returns g with H(g) = p for p in (0, 1).
func gardnerHInv(p float64) float64 { return math.Sqrt2 * math.Erfcinv(2*p) }

// Gauss-Legendre nodes (on [-1, 1], positive half) and weights used by
// Genz's bivariate normal algorithm for its three correlation ranges.
var (
	bvnX6  = [3]float64{0.9324695142031522, 0.6612093864662647, 0.2386191860831970}
	bvnW6  = [3]float64{0.1713244923791705, 0.3607615730481384, 0.4679139345726904}
	bvnX12 = [6]float64{0.9815606342467191, 0.9041172563704750, 0.7699026741943050,
		0.5873179542866171, 0.3678314989981802, 0.1252334085114692}
	bvnW12 = [6]float64{0.04717533638651177, 0.1069393259953183, 0.1600783285433464,
		0.2031674267230659, 0.2334925365383547, 0.2491470458134029}
	bvnX20 = [10]float64{0.9931285991850949, 0.9639719272779138, 0.9122344282513259,
		0.8391169718222188, 0.7463319064601508, 0.6360536807265150,
		0.5108670019508271, 0.3737060887154196, 0.2277858511416451,
		0.07652652113349733}
	bvnW20 = [10]float64{0.01761400713915212, 0.04060142980038694, 0.06267204833410906,
		0.08327674157670475, 0.1019301198172404, 0.1181945319615184,
		0.1316886384491766, 0.1420961093183821, 0.1491729864726037,
		0.1527533871307259}
)

// bvnCDF returns P(X < h, Y < k) for standard bivariate normal (X, Y) with
// correlation r, |r| <= 1. It is Genz's method (A. Genz, "Numerical
// computation of rectangular bivariate and trivariate normal and t
// probabilities", Statistics and Computing 14, 2004), accurate to about
// 1e-15 absolute.
func bvnCDF(h, k, r float64) float64 {
	return bvnUpper(-h, -k, r)
}

// bvnUpper returns P(X > h, Y > k).
func bvnUpper(h, k, r float64) float64 {
	switch {
	case math.IsInf(h, 1) || math.IsInf(k, 1):
		return 0
	case math.IsInf(h, -1):
		if math.IsInf(k, -1) {
			return 1
		}
		return normCDF(-k)
	case math.IsInf(k, -1):
		return normCDF(-h)
	case r == 0:
		return normCDF(-h) * normCDF(-k)
	}
	if r >= 1 {
		return normCDF(-math.Max(h, k))
	}
	if r <= -1 {
		return math.Max(0, normCDF(-h)-normCDF(k))
	}
	var xs, ws []float64
	switch ar := math.Abs(r); {
	case ar < 0.3:
		xs, ws = bvnX6[:], bvnW6[:]
	case ar < 0.75:
		xs, ws = bvnX12[:], bvnW12[:]
	default:
		xs, ws = bvnX20[:], bvnW20[:]
	}
	const twoPi = 2 * math.Pi
	hk := h * k
	bvn := 0.0
	if math.Abs(r) < 0.925 {
		hs := (h*h + k*k) / 2
		asr := math.Asin(r) / 2
		for i, x := range xs {
			for _, sx := range [2]float64{1 - x, 1 + x} {
				sn := math.Sin(asr * sx)
				bvn += ws[i] * math.Exp((sn*hk-hs)/(1-sn*sn))
			}
		}
		bvn = bvn*asr/twoPi + normCDF(-h)*normCDF(-k)
	} else {
		if r < 0 {
			k = -k
			hk = -hk
		}
		as := 1 - r*r
		a := math.Sqrt(as)
		bs := (h - k) * (h - k)
		c := (4 - hk) / 8
		d := (12 - hk) / 80
		asr := -(bs/as + hk) / 2
		if asr > -100 {
			bvn = a * math.Exp(asr) * (1 - c*(bs-as)*(1-d*bs)/3 + c*d*as*as)
		}
		if hk > -100 {
			b := math.Sqrt(bs)
			sp := math.Sqrt(twoPi) * normCDF(-b/a)
			bvn -= math.Exp(-hk/2) * sp * b * (1 - c*bs*(1-d*bs)/3)
		}
		a /= 2
		sum := 0.0
		for i, x := range xs {
			for _, sx := range [2]float64{1 - x, 1 + x} {
				xs2 := (a * sx) * (a * sx)
				asr := -(bs/xs2 + hk) / 2
				if asr <= -100 {
					continue
				}
				sp := 1 + c*xs2*(1+5*d*xs2)
				rs := math.Sqrt(1 - xs2)
				ep := math.Exp(-(hk/2)*xs2/((1+rs)*(1+rs))) / rs
				sum += ws[i] * math.Exp(asr) * (sp - ep)
			}
		}
		bvn = (a*sum - bvn) / twoPi
		switch {
		case r > 0:
			bvn += normCDF(-math.Max(h, k))
		case h >= k:
			bvn = -bvn
		default:
			var l float64
			if h < 0 {
				l = normCDF(k) - normCDF(h)
			} else {
				l = normCDF(-h) - normCDF(-k)
			}
			bvn = l - bvn
		}
	}
	return math.Max(0, math.Min(1, bvn))
}

// truncMoments returns, for standard bivariate normal (X, W) with
// correlation r, the truncated moments
//
//	m0 = P(X < a, W < h), m1 = E[X 1{X<a, W<h}], m2 = E[X² 1{X<a, W<h}],
//
// derived with Stein's lemma (E[X g] = E[∂ₓg] + r E[∂_w g]):
//
//	m1 = -φ(a)Φ((h-ra)/σ) - r φ(h)Φ((a-rh)/σ)
//	m2 = m0 - aφ(a)Φ((h-ra)/σ) - r φ(h)[r h Φ((a-rh)/σ) - σ φ((a-rh)/σ)]
//
// with σ = √(1-r²).
func truncMoments(a, h, r float64) (m0, m1, m2 float64) {
	m0 = bvnCDF(a, h, r)
	sigma := math.Sqrt(math.Max(0, 1-r*r))
	pa, ph := normPDF(a), normPDF(h)
	ca := stepCDF(h-r*a, sigma) // Φ((h - r a)/σ)
	ch := stepCDF(a-r*h, sigma) // Φ((a - r h)/σ)
	dh := 0.0                   // σ φ((a - r h)/σ)
	if sigma > 0 {
		dh = sigma * normPDF((a-r*h)/sigma)
	}
	m1 = -pa*ca - r*ph*ch
	m2 = m0 - a*pa*ca - r*ph*(r*h*ch-dh)
	return m0, m1, m2
}

// stepCDF returns Φ(x/σ), taking its limit (a step) when σ = 0.
func stepCDF(x, sigma float64) float64 {
	if sigma > 0 {
		return normCDF(x / sigma)
	}
	switch {
	case x > 0:
		return 1
	case x < 0:
		return 0
	}
	return 0.5
}

// positivePartMoments returns, for standard bivariate normal (X, W) with
// correlation c,
//
//	A1 = E[(a - X)₊ 1{W < h}],  A2 = E[(a - X)₊² 1{W < h}].
//
// For moderate |c| they come from the closed-form truncated moments. As
// |c| → 1 (the large-α regime, where the student, teacher and probe fields
// become collinear) those closed forms cancel catastrophically (1% errors
// seen at c = -0.99997), so A1 and A2 are then integrated directly,
//
//	A_n = ∫_{x<a} φ(x) (a - x)ⁿ Φ((h - c x)/σ) dx,  σ = √(1 - c²),
//
// whose integrand is positive (no cancellation), with breakpoints around the
// step of Φ at x0 = h/c of width σ/|c|.
func positivePartMoments(a, h, c float64, rule nodeRule) (a1, a2 float64) {
	sigma := math.Sqrt(math.Max(0, 1-c*c))
	if sigma > 0.6 {
		m0, m1, m2 := truncMoments(a, h, c)
		return math.Max(0, a*m0-m1), math.Max(0, a*a*m0-2*a*m1+m2)
	}
	const lowest = -10.0 // φ(-10) ≈ 8e-23
	if a > -lowest {
		// (a - X)₊ = a - X up to P(X > 10) ≈ 8e-24: with X = cW + σY,
		// E[X 1{W<h}] = -cφ(h), E[X² 1{W<h}] = c²(Φ(h) - hφ(h)) + σ²Φ(h).
		ph, cdf := normPDF(h), normCDF(h)
		a1 = a*cdf + c*ph
		a2 = a*a*cdf + 2*a*c*ph + c*c*(cdf-h*ph) + sigma*sigma*cdf
		return math.Max(0, a1), math.Max(0, a2)
	}
	lo, hi := lowest, a
	x0, w := h/c, sigma/math.Abs(c)
	if c < 0 {
		lo = math.Max(lo, x0-10*w)
	} else {
		hi = math.Min(hi, x0+10*w)
	}
	if !(hi > lo) {
		return 0, 0
	}
	var cuts [12]float64
	n := 0
	cuts[n] = lo
	n++
	for _, o := range [...]float64{-4, -2, -1, 0, 1, 2, 4} {
		if x := x0 + o*w; x > lo && x < hi {
			cuts[n] = x
			n++
		}
	}
	cuts[n] = hi
	n++
	for i := 0; i+1 < n; i++ {
		sa, sb := cuts[i], cuts[i+1]
		pieces := int(math.Ceil((sb - sa) / maxSegment))
		step := (sb - sa) / float64(pieces)
		for j := 0; j < pieces; j++ {
			pa := sa + float64(j)*step
			half, mid := step/2, pa+step/2
			for k, t := range rule.x {
				x := mid + half*t
				d := a - x
				wt := half * rule.w[k] * normPDF(x) * stepCDF(h-c*x, sigma)
				a1 += wt * d
				a2 += wt * d * d
			}
		}
	}
	return a1, a2
}
