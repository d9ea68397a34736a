package data

import (
	"os"
	"path/filepath"
)

// DebianFashionMNIST is where Debian's dataset-fashion-mnist package puts the
// four IDX files.
const DebianFashionMNIST = "/usr/share/datasets/fashion-mnist"

// SharedMirror returns an offline mirror of dataset folders: $PRUNE_SHARED_DATA,
// else a shared/data folder beside the repository root (as on the project's
// CI machines), else "".
func SharedMirror(root string) string {
	if d := os.Getenv("PRUNE_SHARED_DATA"); d != "" {
		return d
	}
	if root != "" {
		d := filepath.Join(filepath.Dir(root), "shared", "data")
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return ""
}
