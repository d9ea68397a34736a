//go:build xla && cgo

package backend

// Built with -tags xla, the XLA backend is compiled in (cgo). It loads a PJRT
// plugin named by GOMLX_BACKEND=xla:<plugin>, e.g. an absolute path to the
// CUDA plugin of an installed jax (see environment.md). The auto-installer is
// deliberately not linked: it downloads plugins, which offline machines cannot.
import _ "github.com/gomlx/go-xla/compute/xla"
