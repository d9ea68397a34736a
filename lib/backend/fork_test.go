package backend

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// forkLists are the lists of third_party/compute/FORK.md: files changed
// against upstream, files and folders added, folders left out (a folder
// ends in "/").
type forkLists struct {
	changed, added, leftOut []string
}

// readForkLists reads the bullet lines "- `path`..." under FORK.md's
// "## Changed", "## Added" and "## Left out" headings.
func readForkLists(path string) (forkLists, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return forkLists{}, err
	}
	var l forkLists
	var into *[]string
	item := regexp.MustCompile("^- `([^`]+)`")
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "## Changed":
			into = &l.changed
		case line == "## Added":
			into = &l.added
		case line == "## Left out":
			into = &l.leftOut
		case strings.HasPrefix(line, "## "):
			into = nil
		case into != nil:
			if m := item.FindStringSubmatch(line); m != nil {
				*into = append(*into, m[1])
			}
		}
	}
	if len(l.changed) == 0 || len(l.added) == 0 {
		return l, fmt.Errorf("%s: no Changed or Added list", path)
	}
	return l, sc.Err()
}

// covers reports whether a list names a file: the file itself or a folder
// above it.
func covers(list []string, file string) bool {
	return slices.ContainsFunc(list, func(p string) bool {
		return p == file || strings.HasSuffix(p, "/") && strings.HasPrefix(file, p)
	})
}

// files lists the regular files under root by slash-separated relative
// path.
func files(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out[filepath.ToSlash(rel)] = path
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The fork in third_party/compute is upstream's compute at the version
// go.mod requires, plus exactly the changes FORK.md lists: every other
// upstream file is present and byte-identical (tests and the listed
// folders left out), and the fork has no file upstream lacks but the
// added ones. Upstream comes from the module cache (go mod download
// fetches it through the module proxy when it is missing).
func TestComputeForkIsUpstreamPlusListedChanges(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fork := filepath.Join(root, "third_party", "compute")
	lists, err := readForkLists(filepath.Join(fork, "FORK.md"))
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/gomlx/compute (v\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod requires no github.com/gomlx/compute version")
	}
	cmd := exec.Command("go", "mod", "download", "-json", "github.com/gomlx/compute@"+string(m[1]))
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download github.com/gomlx/compute@%s (the upstream to compare the fork with): %v\n%s", m[1], err, out)
	}
	var mod struct{ Dir, Error string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		t.Fatalf("go mod download: %v %s", err, out)
	}
	upstream, ours := files(t, mod.Dir), files(t, fork)
	for rel, path := range upstream {
		switch {
		case strings.HasSuffix(rel, "_test.go"), covers(lists.leftOut, rel):
			if _, ok := ours[rel]; ok {
				t.Errorf("%s: FORK.md says it is left out, but the fork has it", rel)
			}
			continue
		}
		mine, ok := ours[rel]
		if !ok {
			t.Errorf("%s: upstream's file is missing from the fork and FORK.md does not list it as left out", rel)
			continue
		}
		a, _ := os.ReadFile(path)
		b, _ := os.ReadFile(mine)
		if same := bytes.Equal(a, b); same == covers(lists.changed, rel) {
			if same {
				t.Errorf("%s: FORK.md lists it as changed, but it equals upstream's", rel)
			} else {
				t.Errorf("%s: differs from upstream's and FORK.md does not list it as changed", rel)
			}
		}
	}
	for rel := range ours {
		if _, ok := upstream[rel]; !ok && !covers(lists.added, rel) {
			t.Errorf("%s: not in upstream and FORK.md does not list it as added", rel)
		}
	}
	names := slices.Collect(maps.Keys(ours))
	for _, p := range append(slices.Clone(lists.changed), lists.added...) {
		if !slices.ContainsFunc(names, func(rel string) bool { return covers([]string{p}, rel) }) {
			t.Errorf("FORK.md lists %s, which the fork does not have", p)
		}
	}
}

// The check itself fails on what it must catch: a planted change, a
// planted file and a planted removal, each unlisted.
func TestForkListsCover(t *testing.T) {
	l := forkLists{changed: []string{"a/b.go"}, added: []string{"new/"}, leftOut: []string{"docs/"}}
	for _, c := range []struct {
		list []string
		file string
		want bool
	}{
		{l.changed, "a/b.go", true},
		{l.changed, "a/c.go", false},
		{l.added, "new/x/y.go", true},
		{l.added, "newer/x.go", false},
		{l.leftOut, "docs/README.md", true},
		{l.leftOut, "docsx/README.md", false},
	} {
		if got := covers(c.list, c.file); got != c.want {
			t.Errorf("covers(%v, %q) = %v, want %v", c.list, c.file, got, c.want)
		}
	}
	dir := t.TempDir()
	md := "# x\n\n## Changed\n\n- `a/b.go`: why\n\n## Added\n\n- `new/`: what\n- `FORK.md`: this\n\n## Left out\n\n- `docs/`\n\n## Other\n\n- `not/a/list`\n"
	if err := os.WriteFile(filepath.Join(dir, "FORK.md"), []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readForkLists(filepath.Join(dir, "FORK.md"))
	if err != nil || !slices.Equal(got.changed, []string{"a/b.go"}) || !slices.Equal(got.added, []string{"new/", "FORK.md"}) ||
		!slices.Equal(got.leftOut, []string{"docs/"}) {
		t.Errorf("readForkLists = %+v, %v", got, err)
	}
}
