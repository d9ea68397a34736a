package project

import (
	"bytes"
	"os/exec"
	"runtime/debug"
	"strings"
	"sync"
)

const unknown = "unknown"

// CodeVersion is the VCS revision the running binary was built from (with
// "+dirty" for uncommitted changes). A binary built without VCS
// information (go test and go run binaries, and the notebooks' cells, which
// GoNB builds outside the repository from its packages) takes the revision
// of the repository it runs in (Root), read with git once, so that
// the records and caches a notebook writes name the code that made them.
// "unknown" when neither is known.
func CodeVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		if v := fromSettings(info.Settings); v != unknown {
			return v
		}
	}
	return repositoryVersion()
}

var repositoryVersion = sync.OnceValue(func() string {
	root, err := Root()
	if err != nil {
		return unknown
	}
	return fromGit(root)
})

func fromSettings(settings []debug.BuildSetting) string {
	rev, dirty := "", false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return unknown
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}

// fromGit is the revision of the git checkout at root, with "+dirty" when
// tracked files differ from it (as the go command's vcs.modified), or
// "unknown" where git or the checkout is missing.
func fromGit(root string) string {
	rev, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return unknown
	}
	status, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output()
	if err != nil {
		return unknown
	}
	v := strings.TrimSpace(string(rev))
	if len(bytes.TrimSpace(status)) > 0 {
		v += "+dirty"
	}
	return v
}
