package project

import "testing"

func TestCurrentProfileFromEnv(t *testing.T) {
	t.Setenv(EnvProfile, "Smoke")
	n, line, err := CurrentProfile()
	if err != nil || n != Smoke || line == "" {
		t.Fatalf("CurrentProfile() = %v, %q, %v", n, line, err)
	}
	t.Setenv(EnvProfile, "huge")
	if _, _, err := CurrentProfile(); err == nil {
		t.Error("unknown profile accepted")
	}
}

func TestPick(t *testing.T) {
	for n, want := range map[Profile]int{Smoke: 1, CPU: 2, Paper: 3} {
		if got := Pick(n, 1, 2, 3); got != want {
			t.Errorf("Pick(%v) = %d", n, got)
		}
	}
}
