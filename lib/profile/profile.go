// Package profile chooses the scale at which notebooks and commands run:
// smoke (tests: seconds per notebook), cpu (the default without a GPU: the
// whole main job within an hour on 2 cores) or paper (the paper's scale, for
// a GPU machine). It is read from the environment variable PRUNE_PROFILE.
package profile

import (
	"fmt"
	"os"
	"strings"

	"beyondscaling/lib/gpu"
)

// Name is a profile.
type Name string

const (
	Smoke Name = "smoke"
	CPU   Name = "cpu"
	Paper Name = "paper"
)

// EnvVar selects the profile.
const EnvVar = "PRUNE_PROFILE"

// Parse checks a profile name.
func Parse(s string) (Name, error) {
	switch n := Name(strings.ToLower(strings.TrimSpace(s))); n {
	case Smoke, CPU, Paper:
		return n, nil
	}
	return "", fmt.Errorf("unknown profile %q: use smoke, cpu or paper (environment variable %s)", s, EnvVar)
}

// Current returns the profile from PRUNE_PROFILE, or the machine's default
// (paper where an NVIDIA GPU answers nvidia-smi, cpu otherwise), and a line
// that says which and why.
func Current() (Name, string, error) {
	if v, ok := os.LookupEnv(EnvVar); ok && v != "" {
		n, err := Parse(v)
		if err != nil {
			return "", "", err
		}
		return n, fmt.Sprintf("profile %s (from %s)", n, EnvVar), nil
	}
	if hasGPU() {
		return Paper, fmt.Sprintf("profile paper (default: a GPU was found; set %s=cpu or smoke to change)", EnvVar), nil
	}
	return CPU, fmt.Sprintf("profile cpu (default: no GPU found; set %s=smoke or paper to change)", EnvVar), nil
}

// MustCurrent is Current for notebooks: it prints the line and panics on a
// bad PRUNE_PROFILE value.
func MustCurrent() Name {
	n, line, err := Current()
	if err != nil {
		panic(err)
	}
	fmt.Println(line)
	return n
}

// hasGPU is gpu.NVIDIA (a variable for tests).
var hasGPU = gpu.NVIDIA

// Pick returns the value for the profile.
func Pick[T any](n Name, smoke, cpu, paper T) T {
	switch n {
	case Smoke:
		return smoke
	case Paper:
		return paper
	}
	return cpu
}
