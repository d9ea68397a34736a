//go:build cgo

package backend

// With cgo (the default on Linux with a C compiler), GoMLX's ONNX Runtime
// backend is compiled in. It loads libonnxruntime at run time (dlopen), so
// the build does not need the library; scripts/setup.sh installs it under
// .cache/ and Config picks it by default only when PreferORT is on, and GOMLX_BACKEND=onnx:cpu always (see ort.go).
import onnxbackend "github.com/gomlx/compute-onnx"

func init() {
	// Never download a library behind the user's back: offline machines
	// cannot, and the one we use is pinned and checked by scripts/setup.sh.
	onnxbackend.EnableAutoInstall(false)
}
