package sweep

import (
	"strings"
	"testing"
)

func TestPackCorrect(t *testing.T) {
	correct := []bool{true, false, true, true, false, false, false, false, false, true} // 10 examples
	s := PackCorrect(correct)
	b, err := UnpackCorrect(s, len(correct))
	if err != nil {
		t.Fatal(err)
	}
	// Bits LSB first: 1,0,1,1,0,0,0,0 = 0x0d; then 0,1 = 0x02.
	if len(b) != 2 || b[0] != 0x0d || b[1] != 0x02 {
		t.Errorf("bitset %x, want 0d02", b)
	}
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{s, 17, "holds 2 bytes"},
		{"!!", 10, "test_correct"},
		{PackCorrect(correct), 9, "bits set past"},
	} {
		if _, err := UnpackCorrect(c.s, c.n); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("UnpackCorrect(%q, %d): %v, want an error with %q", c.s, c.n, err, c.want)
		}
	}
}
