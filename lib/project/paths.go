package project

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// ModulePath is the project's Go module path, used to recognise its root.
const ModulePath = "beyondscaling"

// Environment variables that override the defaults.
const (
	EnvRoot    = "PRUNE_ROOT"    // repository root
	EnvFigures = "PRUNE_FIGURES" // where figures are written (default <root>/out/figures)
	EnvData    = "PRUNE_DATA"    // dataset cache (default <root>/data)
	EnvOut     = "PRUNE_OUT"     // outputs (default <root>/out)
)

// Root returns the repository root: $PRUNE_ROOT, else the first directory
// holding this module's go.mod above $GONB_DIR (the notebook's folder, set
// by the GoNB kernel) or the working directory.
func Root() (string, error) {
	if r := os.Getenv(EnvRoot); r != "" {
		return filepath.Abs(r)
	}
	var starts []string
	if d := os.Getenv("GONB_DIR"); d != "" {
		starts = append(starts, d)
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, s := range starts {
		for d := s; ; d = filepath.Dir(d) {
			if isRoot(d) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", fmt.Errorf("cannot find the %s repository root above %v: set %s", ModulePath, starts, EnvRoot)
}

func isRoot(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return string(bytes.TrimSpace(line)) == "module "+ModulePath
}

func under(env, sub string) (string, error) {
	if d := os.Getenv(env); d != "" {
		return filepath.Abs(d)
	}
	r, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(r, sub), nil
}

// Figures returns the folder figures are written to: $PRUNE_FIGURES, else
// the working folder <root>/out/figures. Interactive runs so leave the
// committed gallery alone; refreshing it is an explicit choice
// (scripts/reproduce.sh sets PRUNE_FIGURES to Gallery).
func Figures() (string, error) { return under(EnvFigures, filepath.Join("out", "figures")) }

// Gallery returns the committed gallery of figures, <root>/figures.
func Gallery() (string, error) {
	r, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(r, "figures"), nil
}

// Data returns the dataset cache ($PRUNE_DATA or <root>/data).
func Data() (string, error) { return under(EnvData, "data") }

// Out returns the output folder ($PRUNE_OUT or <root>/out).
func Out() (string, error) { return under(EnvOut, "out") }

// MustFigures is Figures for notebooks: it panics with the reason.
func MustFigures() string {
	d, err := Figures()
	if err != nil {
		panic(err)
	}
	return d
}
