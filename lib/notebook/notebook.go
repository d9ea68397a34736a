package notebook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Toolchain is the Go toolchain the project needs; machines that ship an
// older Go fetch it through GOTOOLCHAIN.
const Toolchain = "go1.27.3"

// Harness executes notebooks with a GoNB kernel.
type Harness struct {
	Root           string        // repository root
	BinDir         string        // where gonb and goimports are installed (default <root>/.cache/bin)
	JupyterDataDir string        // Jupyter data dir holding the kernel spec ("" = the user's default)
	CellTimeout    time.Duration // per-cell limit (default 600 s)
	Env            []string      // extra environment for the executed notebooks
	Log            io.Writer     // progress messages (default os.Stderr)
}

func (h *Harness) defaults() {
	if h.BinDir == "" {
		h.BinDir = filepath.Join(h.Root, ".cache", "bin")
	}
	if h.CellTimeout == 0 {
		h.CellTimeout = 600 * time.Second
	}
	if h.Log == nil {
		h.Log = os.Stderr
	}
}

// SIMDEnvVar, set to 0, builds the notebooks without GOEXPERIMENT=simd. The
// SIMD kernels of the pure-Go backend make training several times faster, so
// they are on by default. With Go 1.27.3 their partial vector loads read past
// the end of a slice, which crashed notebooks at random ("unexpected fault
// address ... fatal error: fault"); lib/backend keeps those reads in mapped
// memory (environment.md, "The SIMD crash"), and PRUNE_SIMD=0 avoids the
// SIMD code altogether.
const SIMDEnvVar = "PRUNE_SIMD"

// Experiments returns the GOEXPERIMENT value to use: goexperiment (a comma
// list) with simd added when simd is true and removed otherwise.
func Experiments(goexperiment string, simd bool) string {
	var keep []string
	for _, e := range strings.Split(goexperiment, ",") {
		if e = strings.TrimSpace(e); e != "" && e != "simd" {
			keep = append(keep, e)
		}
	}
	if simd {
		keep = append(keep, "simd")
	}
	return strings.Join(keep, ",")
}

// goEnv is the environment for the go command and the kernel: the project's
// toolchain, GOEXPERIMENT with simd unless PRUNE_SIMD=0 (SIMDEnvVar), and the
// tool bin directory first on PATH.
func (h *Harness) goEnv() []string {
	env := os.Environ()
	set := func(k, v string) {
		for i, kv := range env {
			if strings.HasPrefix(kv, k+"=") {
				env[i] = k + "=" + v
				return
			}
		}
		env = append(env, k+"="+v)
	}
	if tc := os.Getenv("GOTOOLCHAIN"); tc == "" || tc == "local" {
		set("GOTOOLCHAIN", Toolchain)
	}
	set("GOEXPERIMENT", Experiments(os.Getenv("GOEXPERIMENT"), os.Getenv(SIMDEnvVar) != "0"))
	set("PATH", h.BinDir+string(os.PathListSeparator)+filepath.Join(runtime.GOROOT(), "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	if h.JupyterDataDir != "" {
		set("JUPYTER_DATA_DIR", h.JupyterDataDir)
	}
	return env
}

func (h *Harness) run(ctx context.Context, env []string, dir, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = env, dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// InstallTools builds the pinned gonb and goimports (the go.mod tool
// directives) into BinDir.
func (h *Harness) InstallTools(ctx context.Context) error {
	h.defaults()
	env := append(h.goEnv(), "GOBIN="+h.BinDir)
	t0 := time.Now()
	if err := h.run(ctx, env, h.Root, "go", "install", "tool"); err != nil {
		return err
	}
	fmt.Fprintf(h.Log, "notebook: built gonb and goimports into %s in %s\n", h.BinDir, time.Since(t0).Round(time.Second))
	return nil
}

// InstallKernel installs the GoNB kernel spec into JupyterDataDir (or the
// user's Jupyter data dir) and writes into it the environment the kernel
// needs (toolchain, GOEXPERIMENT, PATH; GOEXPERIMENT is written even when
// empty, so that PRUNE_SIMD=0 holds whatever the shell that starts Jupyter
// sets). rawError makes GoNB print errors as
// plain text, as tests want.
func (h *Harness) InstallKernel(ctx context.Context, rawError bool) error {
	h.defaults()
	args := []string{"--install", "--force_deps"}
	if rawError {
		args = append(args, "--raw_error")
	}
	env := h.goEnv()
	if err := h.run(ctx, env, h.Root, filepath.Join(h.BinDir, "gonb"), args...); err != nil {
		return err
	}
	dataDir := h.JupyterDataDir
	if dataDir == "" {
		out, err := exec.CommandContext(ctx, nbconvertPython(), "-c", "import jupyter_core.paths as p; print(p.jupyter_data_dir())").Output()
		if err != nil {
			return fmt.Errorf("cannot find the Jupyter data directory (is Jupyter installed?): %w", err)
		}
		dataDir = strings.TrimSpace(string(out))
	}
	spec := filepath.Join(dataDir, "kernels", "gonb", "kernel.json")
	b, err := os.ReadFile(spec)
	if err != nil {
		return fmt.Errorf("gonb did not write its kernel spec: %w", err)
	}
	var ks map[string]any
	if err := json.Unmarshal(b, &ks); err != nil {
		return fmt.Errorf("kernel spec %s: %w", spec, err)
	}
	kenv := map[string]any{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "GOTOOLCHAIN", "GOEXPERIMENT", "PATH":
			kenv[k] = v
		}
	}
	ks["env"] = kenv
	ks["display_name"] = "Go (gonb, beyondscaling)"
	nb, _ := json.MarshalIndent(ks, "", "  ")
	if err := os.WriteFile(spec, nb, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(h.Log, "notebook: kernel spec %s\n", spec)
	return nil
}

// nbconvertPython returns Debian's python3 (where Debian's Jupyter lives),
// not a pyenv shim that may come first on PATH.
func nbconvertPython() string {
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return "python3"
}

// ErrNoJupyter is returned when nbconvert is not installed.
var ErrNoJupyter = errors.New("jupyter nbconvert not found: install it with `sudo apt-get install --no-install-recommends jupyter-nbconvert` (Debian/Ubuntu) or `pip install nbconvert`")

// HaveJupyter reports whether nbconvert can run.
func HaveJupyter() bool {
	return exec.Command(nbconvertPython(), "-c", "import nbconvert").Run() == nil
}

// CellError is a failed cell.
type CellError struct {
	Cell    int // 1-based index among all cells
	Name    string
	Message string
	Stderr  string // the end of what the cell printed to standard error
	// Crash is the start of a Go crash dump in the cell's standard error:
	// the "fatal error:" or "panic:" line and the first goroutine. A dump
	// of all goroutines is far longer than Stderr's tail, which then shows
	// only the last goroutines and loses the message; "" if no crash.
	Crash string
}

func (e CellError) String() string {
	s := fmt.Sprintf("cell %d: %s: %s", e.Cell, e.Name, strings.TrimSpace(e.Message))
	if e.Crash != "" && !strings.Contains(e.Stderr, e.Crash) {
		s += "\n  crash, first lines:\n" + indent(strings.TrimSpace(e.Crash))
		if e.Stderr != "" {
			s += "\n  crash, last lines:"
		}
	}
	if e.Stderr != "" {
		s += "\n" + indent(strings.TrimSpace(e.Stderr))
	}
	return s
}

// crashStart matches the line that starts a Go runtime crash dump: a panic,
// a fatal error (concurrent map writes, deadlock, out of memory, ...), or a
// signal the runtime could not turn into a panic.
var crashStart = regexp.MustCompile(`(?m)^(panic: |fatal error: |unexpected fault address |SIG[A-Z]+: )`)

// Limits of CrashHead: enough for the message and a deep first goroutine.
const (
	crashHeadLines = 80
	crashHeadBytes = 8000
)

// CrashHead returns the start of the first Go crash dump in out: from the
// panic or fatal error line through the end of the first goroutine's stack
// (the blank line after it), at most 80 lines. It returns "" when out holds
// no crash.
func CrashHead(out string) string {
	loc := crashStart.FindStringIndex(out)
	if loc == nil {
		return ""
	}
	lines := strings.SplitAfter(out[loc[0]:], "\n")
	var b strings.Builder
	inGoroutine := false
	for i, l := range lines {
		if i == crashHeadLines || b.Len()+len(l) > crashHeadBytes {
			b.WriteString("…\n")
			break
		}
		trimmed := strings.TrimSpace(l)
		if inGoroutine && trimmed == "" {
			break
		}
		if strings.HasPrefix(l, "goroutine ") {
			inGoroutine = true
		}
		b.WriteString(l)
	}
	return strings.TrimRight(b.String(), "\n")
}

// Report is the outcome of one notebook.
type Report struct {
	Notebook string
	Output   string // the executed notebook
	Cells    int
	Errors   []CellError
	Figures  []string // declared figure names
	Duration time.Duration
}

// Err summarises the failures, nil if none.
func (r Report) Err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d failing cell(s):", filepath.Base(r.Notebook), len(r.Errors))
	for _, e := range r.Errors {
		b.WriteString("\n" + e.String())
	}
	return errors.New(b.String())
}

// Execute runs a notebook headless into outDir (errors are recorded, not
// fatal, so every failing cell is reported) and returns the report.
func (h *Harness) Execute(ctx context.Context, nbPath, outDir string) (Report, error) {
	h.defaults()
	if !HaveJupyter() {
		return Report{}, ErrNoJupyter
	}
	abs, err := filepath.Abs(nbPath)
	if err != nil {
		return Report{}, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return Report{}, err
	}
	rep := Report{Notebook: abs, Output: filepath.Join(outDir, filepath.Base(abs))}
	if rep.Figures, err = Declared(abs); err != nil {
		return rep, err
	}
	env := append(h.goEnv(), h.Env...)
	t0 := time.Now()
	cmd := exec.CommandContext(ctx, nbconvertPython(), "-m", "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
		fmt.Sprintf("--ExecutePreprocessor.timeout=%d", int(h.CellTimeout.Seconds())),
		"--ExecutePreprocessor.kernel_name=gonb",
		"--output-dir", outDir, "--output", filepath.Base(abs), abs)
	cmd.Env, cmd.Dir = env, filepath.Dir(abs)
	out, err := cmd.CombinedOutput()
	rep.Duration = time.Since(t0)
	if err != nil {
		msg := tail(string(out), 3000)
		if head := CrashHead(string(out)); head != "" && !strings.Contains(msg, head) {
			msg = head + "\n…\n" + msg
		}
		return rep, fmt.Errorf("nbconvert failed on %s: %w\n%s", nbPath, err, msg)
	}
	cells, errs, err := readErrors(rep.Output)
	rep.Cells, rep.Errors = cells, errs
	return rep, err
}

// notebookFile is the part of the .ipynb format the harness reads.
type notebookFile struct {
	Cells []struct {
		CellType string `json:"cell_type"`
		Outputs  []struct {
			OutputType string `json:"output_type"`
			Name       string `json:"name"`
			Text       any    `json:"text"`
			EName      string `json:"ename"`
			EValue     string `json:"evalue"`
		} `json:"outputs"`
	} `json:"cells"`
	Metadata struct {
		Project struct {
			Figures []string `json:"figures"`
		} `json:"beyondscaling"`
	} `json:"metadata"`
}

func readNotebook(path string) (notebookFile, error) {
	var nb notebookFile
	b, err := os.ReadFile(path)
	if err != nil {
		return nb, err
	}
	if err := json.Unmarshal(b, &nb); err != nil {
		return nb, fmt.Errorf("%s is not a valid notebook: %w", path, err)
	}
	return nb, nil
}

// Declared returns the figure names a notebook declares in its metadata.
func Declared(path string) ([]string, error) {
	nb, err := readNotebook(path)
	return nb.Metadata.Project.Figures, err
}

func readErrors(path string) (int, []CellError, error) {
	nb, err := readNotebook(path)
	if err != nil {
		return 0, nil, err
	}
	var errs []CellError
	for i, c := range nb.Cells {
		var stderr strings.Builder
		for _, o := range c.Outputs {
			switch o.OutputType {
			case "stream":
				if o.Name == "stderr" {
					stderr.WriteString(joinText(o.Text))
				}
			case "error":
				errs = append(errs, CellError{Cell: i + 1, Name: o.EName, Message: o.EValue,
					Stderr: tail(stderr.String(), 2000), Crash: CrashHead(stderr.String())})
			}
		}
	}
	return len(nb.Cells), errs, nil
}

func joinText(t any) string {
	switch v := t.(type) {
	case string:
		return v
	case []any:
		var b strings.Builder
		for _, s := range v {
			if str, ok := s.(string); ok {
				b.WriteString(str)
			}
		}
		return b.String()
	}
	return ""
}

// CheckFigures verifies that dir holds every declared figure in every format.
func CheckFigures(dir string, names []string) error {
	var missing []string
	for _, n := range names {
		for _, ext := range []string{"pdf", "svg", "png", "csv"} {
			p := filepath.Join(dir, n+"."+ext)
			if st, err := os.Stat(p); err != nil || st.Size() == 0 {
				missing = append(missing, filepath.Base(p))
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("figures missing or empty in %s: %s", dir, strings.Join(missing, ", "))
	}
	return nil
}

// Find lists the notebooks of the repository, in order.
func Find(root string) ([]string, error) {
	m, err := filepath.Glob(filepath.Join(root, "notebooks", "*.ipynb"))
	sort.Strings(m)
	return m, err
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }
