package profile

import "testing"

func TestCurrentFromEnv(t *testing.T) {
	t.Setenv(EnvVar, "Smoke")
	n, line, err := Current()
	if err != nil || n != Smoke || line == "" {
		t.Fatalf("Current() = %v, %q, %v", n, line, err)
	}
	t.Setenv(EnvVar, "huge")
	if _, _, err := Current(); err == nil {
		t.Error("unknown profile accepted")
	}
}

func TestPick(t *testing.T) {
	for n, want := range map[Name]int{Smoke: 1, CPU: 2, Paper: 3} {
		if got := Pick(n, 1, 2, 3); got != want {
			t.Errorf("Pick(%v) = %d", n, got)
		}
	}
}
