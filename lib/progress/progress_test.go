package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLinesCarryRateAndETA(t *testing.T) {
	var buf bytes.Buffer
	b := New("solve", 4, "points").WithWriter(&buf).WithInterval(time.Hour)
	clock := b.start
	b.now = func() time.Time { return clock }
	clock = clock.Add(2 * time.Second)
	b.Add(1) // first line: interval since zero time has passed
	clock = clock.Add(2 * time.Second)
	b.Add(1) // within the interval: no line
	clock = clock.Add(4 * time.Second)
	b.Add(2) // done: final line
	b.Done()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines %q", lines)
	}
	if !strings.Contains(lines[0], "1/4 points (25%) 0.5 points/s") || !strings.Contains(lines[0], "ETA 6s") {
		t.Errorf("first line %q", lines[0])
	}
	if !strings.Contains(lines[1], "4/4 points (100%)") || !strings.Contains(lines[1], "ETA 0s") {
		t.Errorf("last line %q", lines[1])
	}
}
