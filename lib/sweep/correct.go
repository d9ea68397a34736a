package sweep

import (
	"encoding/base64"
	"fmt"
)

// PackCorrect packs per-example correctness into a record's TestCorrect: a
// bitset (bit i%8 of byte i/8 set when example i is correct), in standard
// base64.
func PackCorrect(correct []bool) string {
	b := make([]byte, (len(correct)+7)/8)
	for i, ok := range correct {
		if ok {
			b[i/8] |= 1 << (i % 8)
		}
	}
	return base64.StdEncoding.EncodeToString(b)
}

// UnpackCorrect is the bitset of a record's TestCorrect for n test
// examples; an error when it is not one (wrong length, not base64, bits
// set past n).
func UnpackCorrect(s string, n int) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("test_correct: %w", err)
	}
	if len(b) != (n+7)/8 {
		return nil, fmt.Errorf("test_correct holds %d bytes, %d test examples need %d", len(b), n, (n+7)/8)
	}
	if n%8 != 0 && b[len(b)-1]>>(n%8) != 0 {
		return nil, fmt.Errorf("test_correct has bits set past its %d test examples", n)
	}
	return b, nil
}
