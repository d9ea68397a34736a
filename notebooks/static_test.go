package notebooks

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	// The notebooks' shared helpers: importing them makes go test's cache
	// depend on their code (notebooks_test.go imports the other packages).
	_ "beyondscaling/lib/plans"
)

// The checks in this file read the notebooks without running them (seconds,
// no Jupyter needed): the .ipynb files are the source, edited in Jupyter,
// and these catch what an edit there can break.

// ipynb is the part of a notebook file the checks read.
type ipynb struct {
	Cells []struct {
		Type           string          `json:"cell_type"`
		Source         []string        `json:"source"`
		Outputs        json.RawMessage `json:"outputs"`
		ExecutionCount json.RawMessage `json:"execution_count"`
	} `json:"cells"`
	Metadata struct {
		Kernel struct {
			Name string `json:"name"`
		} `json:"kernelspec"`
		Beyondscaling struct {
			Figures []string `json:"figures"`
			// Optional are figures saved only where their data is present.
			Optional []string `json:"optional_figures"`
		} `json:"beyondscaling"`
	} `json:"metadata"`
}

// code returns the notebook's code cells, with their numbers in the file
// (1-based, as Jupyter's cell order counts them).
func (nb *ipynb) code() (cells []string, numbers []int) {
	for i, c := range nb.Cells {
		if c.Type == "code" {
			cells = append(cells, strings.Join(c.Source, ""))
			numbers = append(numbers, i+1)
		}
	}
	return cells, numbers
}

func readNotebooks(t *testing.T) map[string]*ipynb {
	t.Helper()
	files, err := filepath.Glob("*.ipynb")
	if err != nil || len(files) == 0 {
		t.Fatalf("no notebooks in notebooks/: %v", err)
	}
	out := map[string]*ipynb{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var nb ipynb
		if err := json.Unmarshal(b, &nb); err != nil {
			t.Fatalf("%s: not a notebook: %v", f, err)
		}
		out[f] = &nb
	}
	return out
}

// goModRequires reads the module versions that go.mod requires.
func goModRequires(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	req := map[string]string{}
	inBlock := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "require (":
			inBlock = true
		case inBlock && line == ")":
			inBlock = false
		case inBlock || strings.HasPrefix(line, "require "):
			fields := strings.Fields(strings.TrimPrefix(line, "require "))
			if len(fields) == 2 {
				req[fields[0]] = fields[1]
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return req
}

var pinPattern = regexp.MustCompile(`-require=([^@\s]+)@(\S+)`)

// The first code cell sets up the notebook's Go module: it makes GoNB's
// temporary module use this repository (go work) and pins the versions of
// the modules the cells import directly. A pin that differs from go.mod
// builds the notebook against another version than the tests ran.
func TestSetupCellPinsMatchGoMod(t *testing.T) {
	req := goModRequires(t, filepath.Join("..", "go.mod"))
	for name, nb := range readNotebooks(t) {
		cells, numbers := nb.code()
		if len(cells) == 0 {
			t.Errorf("%s: no code cells", name)
			continue
		}
		setup := cells[0]
		for _, want := range []string{`go work use . "${GONB_DIR}/.."`, "%goworkfix"} {
			if !strings.Contains(setup, want) {
				t.Errorf("%s, cell %d (the setup cell): lacks %s", name, numbers[0], want)
			}
		}
		pins := pinPattern.FindAllStringSubmatch(setup, -1)
		if len(pins) == 0 {
			t.Errorf("%s, cell %d (the setup cell): pins no module version (-require=module@version)", name, numbers[0])
		}
		for _, p := range pins {
			mod, ver := p[1], p[2]
			switch have, ok := req[mod]; {
			case !ok:
				t.Errorf("%s, cell %d: pins %s@%s, which go.mod does not require: remove the pin or add the module to go.mod", name, numbers[0], mod, ver)
			case have != ver:
				t.Errorf("%s, cell %d: pins %s@%s but go.mod requires %s: change the pin to -require=%s@%s", name, numbers[0], mod, ver, have, mod, have)
			}
		}
		for i, c := range cells[1:] {
			if pinPattern.MatchString(c) {
				t.Errorf("%s, cell %d: module pins belong in the setup cell only", name, numbers[i+1])
			}
		}
		// A notebook that trains (it runs sweeps: plans.Execute) builds
		// with XLA, so that on a machine with an NVIDIA GPU and jax's CUDA
		// plugin it trains there (lib/backend); without cgo the tag adds
		// nothing (lib/backend/xla.go needs xla && cgo).
		if strings.Contains(strings.Join(cells, "\n"), "plans.Execute(") && !strings.Contains(setup, "%goflags -tags=xla") {
			t.Errorf("%s, cell %d (the setup cell): trains but lacks %%goflags -tags=xla", name, numbers[0])
		}
	}
}

// Notebooks are committed without outputs: outputs go stale, bloat diffs and
// hide what a run of the current code shows. (Jupyter: Cell > All Output >
// Clear, then save.)
func TestNoOutputsCommitted(t *testing.T) {
	for name, nb := range readNotebooks(t) {
		for i, c := range nb.Cells {
			if c.Type != "code" {
				continue
			}
			if out := strings.TrimSpace(string(c.Outputs)); out != "" && out != "[]" {
				t.Errorf("%s, cell %d: has committed outputs: clear them (Cell > All Output > Clear) and save", name, i+1)
			}
			if ec := strings.TrimSpace(string(c.ExecutionCount)); ec != "" && ec != "null" {
				t.Errorf("%s, cell %d: has an execution count %s: clear the outputs and save", name, i+1, ec)
			}
		}
	}
}

var savedFigure = regexp.MustCompile(`SaveAndShow\([^\n]*"([a-z0-9][a-z0-9-]*)"\)\)`)

// Each notebook declares the figures it writes (metadata
// beyondscaling.figures, checked after a run by TestNotebooks): each
// declared figure is saved by one of its cells and is in the committed
// gallery figures/, and each figure a cell saves under a literal name is
// declared. Figures that depend on data a machine may lack are declared in
// beyondscaling.optional_figures (ImageNet scaling) or saved under a
// computed name (the montages of datasets that may be absent).
func TestDeclaredFiguresExist(t *testing.T) {
	for name, nb := range readNotebooks(t) {
		if nb.Metadata.Kernel.Name == "" {
			t.Errorf("%s: no kernelspec in the metadata", name)
		}
		declared := nb.Metadata.Beyondscaling.Figures
		if len(declared) == 0 {
			t.Errorf("%s: declares no figures (metadata beyondscaling.figures)", name)
		}
		cells, _ := nb.code()
		all := strings.Join(cells, "\n")
		for _, fig := range declared {
			if !strings.Contains(all, `"`+fig+`"`) {
				t.Errorf("%s: declares figure %s, which no cell saves", name, fig)
			}
			for _, ext := range []string{"png", "svg", "pdf", "csv"} {
				if _, err := os.Stat(filepath.Join("..", "figures", fig+"."+ext)); err != nil {
					t.Errorf("%s: declared figure %s has no %s in the gallery figures/ (make reproduce writes it)", name, fig, ext)
				}
			}
		}
		for _, m := range savedFigure.FindAllStringSubmatch(all, -1) {
			if !slices.Contains(declared, m[1]) && !slices.Contains(nb.Metadata.Beyondscaling.Optional, m[1]) {
				t.Errorf("%s: saves figure %s without declaring it in metadata beyondscaling.figures", name, m[1])
			}
		}
	}
}

var topLevelFunc = regexp.MustCompile(`(?m)^func\s+(?:\([^)]*\)\s*)?([A-Za-z_][A-Za-z0-9_]*)`)

// A helper that several notebooks need lives in a package (lib/plans for
// what every cell needs, the topic's package otherwise), not in a copy per
// notebook that drifts apart.
func TestSharedHelpersComeFromPackages(t *testing.T) {
	definedIn := map[string][]string{}
	for name, nb := range readNotebooks(t) {
		cells, numbers := nb.code()
		for i, c := range cells {
			for _, m := range topLevelFunc.FindAllStringSubmatch(c, -1) {
				definedIn[m[1]] = append(definedIn[m[1]], fmt.Sprintf("%s cell %d", name, numbers[i]))
			}
		}
	}
	var funcs []string
	for f := range definedIn {
		funcs = append(funcs, f)
	}
	sort.Strings(funcs)
	for _, f := range funcs {
		if where := definedIn[f]; len(where) > 1 {
			sort.Strings(where)
			t.Errorf("func %s is defined in %d notebooks (%s): move it to a package (lib/plans or the topic's own) and call it from there",
				f, len(where), strings.Join(where, ", "))
		}
	}
}
