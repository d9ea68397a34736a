package textlog

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestLevelsChooseLines(t *testing.T) {
	for _, c := range []struct {
		level slog.Level
		want  string
	}{
		{slog.LevelInfo, "probe full-00: reusing x\nwarning: other code version a=1\n"},
		{slog.LevelDebug, "epoch 1/2: loss 0.5\nprobe full-00: reusing x\nwarning: other code version a=1\n"},
	} {
		var b strings.Builder
		l := New(&b, c.level)
		if w := Writer(l, slog.LevelDebug); w != nil {
			fmt.Fprint(w, "epoch 1/2: ")
			fmt.Fprint(w, "loss 0.5\n")
		}
		l.Info("probe full-00: reusing x")
		l.Warn("other code version", "a", 1)
		if b.String() != c.want {
			t.Errorf("level %v: got %q, want %q", c.level, b.String(), c.want)
		}
	}
	if Writer(nil, slog.LevelDebug) != nil {
		t.Error("a nil logger gives a writer")
	}
	OrDiscard(nil).Info("dropped")
}
