package backend

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute"

	"beyondscaling/lib/project"
)

// XLA on an NVIDIA GPU as the default: a binary built with -tags xla (make
// builds .cache/bin/prune so) on a machine with an NVIDIA GPU and a PJRT
// CUDA plugin picks XLA with that plugin by itself, as the paper profile,
// which is the default there, expects (see Config). The plugin is the one an
// installed jax brings (jax_plugins/xla_cuda*/xla_cuda_plugin.so, found
// through python3's site-packages) or any pjrt_c_api_cuda_plugin.so or
// xla_cuda_plugin.so in the folders of PJRT_PLUGIN_LIBRARY_PATH. Proven on
// an H200 (environment.md, "GoMLX backends").

// XLACompiledIn reports whether the XLA backend is linked in (-tags xla).
func XLACompiledIn() bool { return slices.Contains(compute.List(), "xla") }

// nvidiaGPU reports whether an NVIDIA GPU answers (a variable for tests).
var nvidiaGPU = project.NVIDIA

// CUDAPlugin returns the PJRT CUDA plugin to load: the first
// pjrt_c_api_cuda_plugin.so or xla_cuda_plugin.so in the folders of
// PJRT_PLUGIN_LIBRARY_PATH, else jax's plugin in python3's site-packages.
// ok is false when there is none.
func CUDAPlugin() (path string, ok bool) {
	names := []string{"pjrt_c_api_cuda_plugin.so", "xla_cuda_plugin.so"}
	for _, dir := range filepath.SplitList(os.Getenv("PJRT_PLUGIN_LIBRARY_PATH")) {
		if dir == "" {
			continue
		}
		for _, n := range names {
			if p := filepath.Join(dir, n); isFile(p) {
				return p, true
			}
		}
	}
	for _, site := range pythonSitePackages() {
		matches, _ := filepath.Glob(filepath.Join(site, "jax_plugins", "xla_cuda*", "xla_cuda_plugin.so"))
		slices.Sort(matches)
		if len(matches) > 0 {
			return matches[len(matches)-1], true // the newest CUDA major version
		}
	}
	return "", false
}

// pythonSitePackages asks python3 for its site-packages folders (none when
// there is no python3), once.
var pythonSitePackages = sync.OnceValue(func() []string {
	py, err := exec.LookPath("python3")
	if err != nil {
		return nil
	}
	out, err := exec.Command(py, "-c", "import site; print('\\n'.join(site.getsitepackages()))").Output()
	if err != nil {
		return nil
	}
	return strings.Fields(string(out))
})

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// gpuDefault is Config's choice on a machine with an NVIDIA GPU: XLA with
// the CUDA plugin when both are there (ok), else a note for the source line
// that says why the default stays on the CPU.
func gpuDefault() (config, note string, ok bool) {
	if !nvidiaGPU() {
		return "", "", false
	}
	if !XLACompiledIn() {
		return "", "an NVIDIA GPU was found, but this binary has no XLA: build with -tags xla to use it (make does; in a notebook, %goflags -tags=xla before the first Go cell)", false
	}
	plugin, found := CUDAPlugin()
	if !found {
		return "", "an NVIDIA GPU was found, but no PJRT CUDA plugin (install jax with CUDA, or set PJRT_PLUGIN_LIBRARY_PATH; environment.md)", false
	}
	return "xla:" + plugin, "default: NVIDIA GPU, XLA with the CUDA plugin " + plugin, true
}

// OnCUDA reports whether a GOMLX_BACKEND configuration runs XLA with a CUDA
// plugin (the plugin's name or path says CUDA).
func OnCUDA(config string) bool {
	return strings.HasPrefix(config, "xla:") && strings.Contains(strings.ToLower(config), "cuda")
}

// gpuUnused is the warning for a fallback from config: the GPU that config
// would have used is not used.
func gpuUnused(config string) string {
	if OnCUDA(config) {
		return ": the GPU is NOT used"
	}
	return ""
}
