package onednn

import (
	"errors"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/gomlx/compute/internal/gobackend"
)

// Large products in two halves.
//
// A dense layer's large products (an MLP's forward product and its weight
// gradient) are most of a small network's training step, and each runs on
// one thread (see runSGEMM). When a backend runs one execution at a time
// (one training alone, as a notebook or `prune bench train` runs it), the
// other core has little to do during them. So a product of at least
// halvesMinMulAdds multiply-adds is computed as two halves of its output
// (its rows or its columns, whichever cuts the larger operand), each by
// sgemm on one thread: the calling thread takes one and, when its execution
// is the backend's only one, offers the other to a helper thread, taking it
// back itself if the helper has not started it.
//
// The halves are cut by the product's shape alone, and a half is the same
// sgemm call whichever thread makes it, so a run's numbers never depend on
// timing. They agree with the whole product within float32 rounding, and
// mostly bit for bit: oneDNN's gemm driver picks its blocking by the
// matrices' sizes, and on AVX-512 only the input gradients of 1000-class
// heads came out rounded differently (lib/models'
// TestOneDNNProductHalvesMatchWholeProduct checks every dense product the
// project's networks run).
//
// The helper is a thread of the C shim, not a goroutine, so that the Go
// scheduler does not stand between an offer and the helper; between offers
// it spins for a while, yielding its core to any other thread that wants
// it, because waking a sleeping thread took a good part of a half's time on
// virtual cores (environment.md, "Large products in halves, one node at a
// time"). When two executions run at once (sweeps train two networks, one
// per core) nothing is offered, and the helper sleeps.
const halvesMinMulAdds = 1 << 21

// helperSpin is how long the helper spins after the last product it took
// before it sleeps: longer than a small network's training step
// (well under a millisecond here), short enough that an idle process soon
// stops taking a core.
const helperSpin = 2 * time.Millisecond

// HalvesEnv names the environment variable that, set to 0, keeps every
// product whole on one thread (for measurements).
const HalvesEnv = "PRUNE_PRODUCT_HALVES"

var halvesOn, helperFirstAlways atomic.Bool

func init() {
	halvesOn.Store(os.Getenv(HalvesEnv) != "0")
	setHelperSpin(helperSpin)
}

// SetProductHalves turns the cutting of large products into halves on or
// off for the whole process (on unless PRUNE_PRODUCT_HALVES=0), for tests
// that compare the two.
func SetProductHalves(on bool) { halvesOn.Store(on) }

// SetHelperFirst makes every product cut into halves have its first half
// computed by the helper thread (the caller waits for the helper to claim
// it), whatever else runs, so that tests can train with the helper's halves
// deterministically. Off by default.
func SetHelperFirst(on bool) { helperFirstAlways.Store(on) }

// HelperRunning reports whether the helper thread has been started (the
// first product offered to it starts it).
func HelperRunning() bool { return helperRunning() }

// ProductHalvesOn reports whether large products are cut into halves.
func ProductHalvesOn() bool { return halvesOn.Load() }

// HalvesHelped is how many product halves the helper thread computed since
// the process started (the others ran on their callers' threads).
func HalvesHelped() int64 { return helperHalves() }

// halvesOf says whether mm is computed in halves, and cut where: along the
// output's rows (rows true) or columns, at row or column at.
func halvesOf(mm *matmul) (rows bool, at int, ok bool) {
	if !halvesOn.Load() || mm.m*mm.n*mm.k < halvesMinMulAdds {
		return false, 0, false
	}
	rows = mm.m >= mm.n // op(a) is m×k, op(b) k×n: cut the larger one
	size := mm.n
	if rows {
		size = mm.m
	}
	// A multiple of 16 float32s: each row's cut falls on a 64-byte boundary
	// when the row starts on one.
	at = size / 2 / 16 * 16
	if at == 0 {
		return false, 0, false
	}
	return rows, at, true
}

// gemmArgs is one sgemm on row-major matrices whose rows are lda, ldb and
// ldc elements apart (blocks of larger matrices): c (m×n) = op(a)·op(b),
// where a is m×k (k×m when transA) and b is k×n (n×k when transB). Each
// slice starts at its matrix's first element.
type gemmArgs struct {
	transA, transB bool
	m, n, k        int
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c              []float32
	ldc            int
}

// denseGemm is the sgemm of dense (unstrided) matrices.
func denseGemm(transA, transB bool, m, n, k int, a, b, c []float32) gemmArgs {
	g := gemmArgs{transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: c, ldc: n}
	if transA {
		g.lda = m
	}
	if transB {
		g.ldb = k
	}
	return g
}

// check says whether every row of each matrix lies within its slice.
func (g gemmArgs) check() error {
	aRows, aCols, bRows, bCols := g.m, g.k, g.k, g.n
	if g.transA {
		aRows, aCols = g.k, g.m
	}
	if g.transB {
		bRows, bCols = g.n, g.k
	}
	if g.lda < aCols || g.ldb < bCols || g.ldc < g.n {
		return errors.New("sgemm: a leading dimension is shorter than its matrix's rows")
	}
	if len(g.a) < (aRows-1)*g.lda+aCols || len(g.b) < (bRows-1)*g.ldb+bCols || len(g.c) < (g.m-1)*g.ldc+g.n {
		return errors.New("sgemm: a slice is shorter than its matrix")
	}
	return nil
}

// halvesArgs cuts mm's product of a and b into c as halvesOf says.
func halvesArgs(mm *matmul, rows bool, at int, a, b, c []float32) ([2]gemmArgs, error) {
	whole := denseGemm(mm.transA, mm.transB, mm.m, mm.n, mm.k, a, b, c)
	if err := whole.check(); err != nil {
		return [2]gemmArgs{}, err
	}
	first, second := whole, whole
	if rows { // rows of op(a) and of c
		first.m, second.m = at, mm.m-at
		if mm.transA { // a is k×m: its columns
			second.a = a[at:]
		} else {
			second.a = a[at*whole.lda:]
		}
		second.c = c[at*whole.ldc:]
	} else { // columns of op(b) and of c
		first.n, second.n = at, mm.n-at
		if mm.transB { // b is n×k: its rows
			second.b = b[at*whole.ldb:]
		} else {
			second.b = b[at:]
		}
		second.c = c[at:]
	}
	return [2]gemmArgs{first, second}, nil
}

// halvesOffer says who computes a product's halves (the same values as the
// C shim's DN_CALLER_ONLY, DN_OFFER_TO_HELPER and DN_HELPER_FIRST).
type halvesOffer int

const (
	callerOnly    halvesOffer = iota // the caller computes both
	offerToHelper                    // the helper may take one
	helperFirst                      // the helper takes the first, then the caller the second (tests)
)

// runHalves computes mm in halves, offering one to the helper thread when
// the backend runs no other execution.
func runHalves(backend *gobackend.Backend, mm *matmul, rows bool, at int, a, b, c []float32) error {
	offer := callerOnly
	switch {
	case helperFirstAlways.Load():
		offer = helperFirst
	case backend.NumLiveExecutions.Load() <= 1 && runtime.GOMAXPROCS(0) > 1:
		offer = offerToHelper
	}
	return computeHalves(offer, mm, rows, at, a, b, c)
}

// computeHalves cuts mm's product of a and b into c as halvesOf says and
// computes the halves as offer says.
func computeHalves(offer halvesOffer, mm *matmul, rows bool, at int, a, b, c []float32) error {
	halves, err := halvesArgs(mm, rows, at, a, b, c)
	if err != nil {
		return err
	}
	return sgemmHalves(offer, halves)
}

// ProductHalves computes op(a)·op(b) as the matmul nodes do when the
// product is large enough to be cut (see halvesOf) and says whether it was
// cut; a product too small to be cut (or any product, with halves off) is
// left undone. Both halves run on the calling thread, or with onHelper the
// first on the helper thread. For tests.
func ProductHalves(onHelper bool, transA, transB bool, m, n, k int, a, b, c []float32) (bool, error) {
	if _, err := Load(); err != nil {
		return false, err
	}
	if !callerThreads {
		return false, errors.New("products run whole on the oneDNN worker here (OpenMP's thread count cannot be set)")
	}
	mm := &matmul{transA: transA, transB: transB, m: m, n: n, k: k}
	rows, at, ok := halvesOf(mm)
	if !ok {
		return false, nil
	}
	offer := callerOnly
	if onHelper {
		offer = helperFirst
	}
	return true, computeHalves(offer, mm, rows, at, a, b, c)
}
