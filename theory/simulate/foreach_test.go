package simulate

import (
	"errors"
	"sync/atomic"
	"testing"
)

func TestForEachRunsAllAndReportsFirstError(t *testing.T) {
	var ran int64
	e3, e7 := errors.New("three"), errors.New("seven")
	err := ForEach(10, func(i int) error {
		atomic.AddInt64(&ran, 1)
		switch i {
		case 3:
			return e3
		case 7:
			return e7
		}
		return nil
	})
	if ran != 10 || err != e3 {
		t.Errorf("ran %d jobs, error %v; want 10 and the error of job 3", ran, err)
	}
	if err := ForEach(0, func(int) error { return e3 }); err != nil {
		t.Error(err)
	}
}
