//go:build !(cgo && linux)

package onednn

import (
	"errors"
	"time"
)

const cgoAvailable = false

func load(string) (string, error) {
	return "", errors.New("this binary was built without cgo (or not for Linux), so it cannot load oneDNN")
}

type geometry struct {
	kind                                                      int
	srcDims, srcStrides, wDims, wStrides, dstDims, dstStrides [4]int64
	strides, dilates, padL, padR                              [2]int64
	packFrom                                                  [4]int64
}

type plan struct{ impl string }

func makePlan(geometry) (*plan, error) { return nil, errors.New("oneDNN not available") }

func (*plan) run(a, w, out []float32) error { return errors.New("oneDNN not available") }

func sgemm(threads int, transA, transB bool, m, n, k int, a, b, c []float32) error {
	return errors.New("oneDNN not available")
}

func threadControl() bool { return false }

func maxThreads() int { return 0 }

func sgemmHalves(offer halvesOffer, halves [2]gemmArgs) error {
	return errors.New("oneDNN not available")
}

func helperHalves() int64 { return 0 }

func helperRunning() bool { return false }

func setHelperSpin(time.Duration) {}
