package project

import (
	"fmt"
	"os"
	"strings"
)

// Profile is a scale at which notebooks and commands run (see the package comment).
type Profile string

const (
	Smoke Profile = "smoke"
	CPU   Profile = "cpu"
	Paper Profile = "paper"
)

// EnvProfile selects the profile.
const EnvProfile = "PRUNE_PROFILE"

// ParseProfile checks a profile name.
func ParseProfile(s string) (Profile, error) {
	switch n := Profile(strings.ToLower(strings.TrimSpace(s))); n {
	case Smoke, CPU, Paper:
		return n, nil
	}
	return "", fmt.Errorf("unknown profile %q: use smoke, cpu or paper (environment variable %s)", s, EnvProfile)
}

// CurrentProfile returns the profile from PRUNE_PROFILE, or the machine's default
// (paper where an NVIDIA GPU answers nvidia-smi, cpu otherwise), and a line
// that says which and why.
func CurrentProfile() (Profile, string, error) {
	if v, ok := os.LookupEnv(EnvProfile); ok && v != "" {
		n, err := ParseProfile(v)
		if err != nil {
			return "", "", err
		}
		return n, fmt.Sprintf("profile %s (from %s)", n, EnvProfile), nil
	}
	if hasGPU() {
		return Paper, fmt.Sprintf("profile paper (default: a GPU was found; set %s=cpu or smoke to change)", EnvProfile), nil
	}
	return CPU, fmt.Sprintf("profile cpu (default: no GPU found; set %s=smoke or paper to change)", EnvProfile), nil
}

// MustCurrentProfile is CurrentProfile for notebooks: it prints the line and panics on a
// bad PRUNE_PROFILE value.
func MustCurrentProfile() Profile {
	n, line, err := CurrentProfile()
	if err != nil {
		panic(err)
	}
	fmt.Println(line)
	return n
}

// hasGPU is NVIDIA (a variable for tests).
var hasGPU = NVIDIA

// Pick returns the value for the profile.
func Pick[T any](n Profile, smoke, cpu, paper T) T {
	switch n {
	case Smoke:
		return smoke
	case Paper:
		return paper
	}
	return cpu
}
