package docs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// A wording pattern: text that speaks of how the work was organised rather
// than of the project. allow, when set, names matches that are real
// locations or facts and so are fine.
type wording struct {
	name   string
	re     *regexp.Regexp
	allow  *regexp.Regexp
	reason string
}

// The patterns are case-insensitive and, where a phrase may be wrapped
// across lines of a paragraph, match any white space between its words.
// Groups are non-capturing, except that a pattern's first capturing group,
// when it has one, is the reported match (the rest is context).
var wordings = []wording{
	{name: "numbered_item", re: regexp.MustCompile(`(?i)\bissues?\s?#?[0-9]+`),
		reason: "a numbered work item means nothing to a reader of the repository"},
	// The possessive form is issue_possessive's.
	{name: "the_issue", re: regexp.MustCompile(`(?i)\b(the\s+issue)(?:[^'’\w]|\z)`),
		reason: "refers to a work item the reader does not have"},
	{name: "issue_possessive", re: regexp.MustCompile(`(?i)\bissue['’]s\b`),
		reason: "an issue's goal, pilot or measurement: say what it is"},
	{name: "private_notes", re: regexp.MustCompile(`(?i)shared/(?:experiment-protocol|paper-notes)`),
		reason: "notes outside the repository: link docs/protocol.md or docs/paper.md"},
	{name: "outside_folder", re: regexp.MustCompile(`(?i)\.\./shared/\S*`),
		// ../shared/data is the offline dataset mirror that lib/data,
		// scripts/reproduce.sh and .ci/run look for (PRUNE_SHARED_DATA).
		allow:  regexp.MustCompile(`^\.\./shared/data\b`),
		reason: "a folder beside the repository that its users do not have"},
	{name: "work_path", re: regexp.MustCompile(`/work/(?:shared|main)\b`),
		reason: "an absolute path of the machine the work was done on"},
	{name: "machine_lent", re: regexp.MustCompile(`(?i)\blent\b`),
		reason: "which machine was lent is how the work was organised: name the hardware instead"},
	{name: "machine_borrowed", re: regexp.MustCompile(`(?i)\bborrowed\b`),
		reason: "which machine was borrowed is how the work was organised: name the hardware instead"},
	{name: "lead_engineer", re: regexp.MustCompile(`(?i)\blead\s+engineer\b`),
		reason: "who decided is not a reason: give the reason"},
	{name: "device_tool", re: regexp.MustCompile(`(?i)\bdevice\s+tool\b`),
		reason: "the tool that lent a machine is not part of the project"},
	{name: "numbered_session", re: regexp.MustCompile(`(?i)\b(?:session|stop)\s[0-9]+\b`),
		reason: "a numbered session or stop of the work means nothing to a reader"},
	{name: "other_session", re: regexp.MustCompile(`(?i)\b(?:previous|next|this|other|another)\s+sessions?\b`),
		reason: "sessions of the work are not part of the project: say what was measured or decided, and why"},
}

// A finding is one match of a wording pattern.
type finding struct {
	file    string
	line    int
	match   string
	pattern string
}

func (f finding) String() string {
	return fmt.Sprintf("%s:%d: %q (%s)", f.file, f.line, f.match, f.pattern)
}

// findWording returns every match of the wording patterns in text, in order
// of position; name is the file's name in the findings.
func findWording(name string, text []byte) []finding {
	var out []finding
	type hit struct {
		at int
		f  finding
	}
	var hits []hit
	for _, w := range wordings {
		for _, loc := range w.re.FindAllSubmatchIndex(text, -1) {
			if len(loc) > 2 && loc[2] >= 0 {
				loc = loc[2:4]
			}
			m := text[loc[0]:loc[1]]
			if w.allow != nil && w.allow.Match(m) {
				continue
			}
			line := 1 + bytes.Count(text[:loc[0]], []byte("\n"))
			match := strings.Join(strings.Fields(string(m)), " ")
			hits = append(hits, hit{loc[0], finding{file: name, line: line, match: match, pattern: w.name}})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	for _, h := range hits {
		out = append(out, h.f)
	}
	return out
}

// repoRoot walks up from the working directory to the folder of go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// skipped says why a tracked file is not checked ("" when it is).
func skipped(name string) string {
	switch {
	case strings.HasPrefix(name, "third_party/"):
		return "third-party code"
	case strings.Contains(name, "testdata/"):
		return "test data (the planted sample lives there)"
	case name == "docs/wording_test.go":
		return "this test names the patterns"
	}
	if ok, _ := path.Match("bench/gpu/*.log", name); ok {
		return "program output recorded on a GPU machine"
	}
	return ""
}

func isBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0
}

// Every tracked file speaks of the project alone: its facts and reasons,
// never how the work on it was organised (work items, machines lent for
// it, notes outside the repository).
func TestTrackedFilesSpeakOfTheProjectAlone(t *testing.T) {
	root := repoRoot(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: cannot list the tracked files")
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		t.Skipf("%s is not a git checkout: cannot list the tracked files", root)
	}
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	var findings []finding
	checked := 0
	for name := range strings.SplitSeq(strings.TrimRight(string(out), "\x00"), "\x00") {
		if name == "" || skipped(name) != "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree, not yet committed
		}
		if err != nil {
			if fi, serr := os.Stat(filepath.Join(root, name)); serr == nil && fi.IsDir() {
				continue // a submodule
			}
			t.Fatal(err)
		}
		if isBinary(b) {
			continue
		}
		checked++
		findings = append(findings, findWording(name, b)...)
	}
	if checked == 0 {
		t.Fatal("no tracked file was checked")
	}
	if len(findings) > 0 {
		reasons := map[string]string{}
		for _, w := range wordings {
			reasons[w.name] = w.reason
		}
		var msg strings.Builder
		fmt.Fprintf(&msg, "%d places speak of how the work was organised rather than of the project; state the reason or the fact itself instead:\n", len(findings))
		for _, f := range findings {
			fmt.Fprintf(&msg, "  %s: %s\n", f, reasons[f.pattern])
		}
		t.Error(msg.String())
	}
}

// The check fails on a planted sample: every line of testdata/planted.md
// marked "want NAME:" gives exactly one finding, of pattern NAME, and no
// other line gives any. Every pattern is planted at least once.
func TestWordingCheckCatchesPlantedSample(t *testing.T) {
	const file = "testdata/planted.md"
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// {shared} stands for the notes' folder (see the sample's header).
	text = bytes.ReplaceAll(text, []byte("{shared}"), []byte("shared"))
	byLine := map[int][]finding{}
	for _, f := range findWording(file, text) {
		byLine[f.line] = append(byLine[f.line], f)
	}
	known := map[string]bool{}
	for _, w := range wordings {
		known[w.name] = true
	}
	planted := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		want, ok := strings.CutPrefix(line, "want ")
		if !ok {
			for _, f := range byLine[n] {
				t.Errorf("%s:%d: a line without \"want\" matched: %s", file, n, f)
			}
			continue
		}
		name, _, _ := strings.Cut(want, ":")
		if !known[name] {
			t.Errorf("%s:%d: want %q, which is no pattern", file, n, name)
			continue
		}
		planted[name]++
		got := byLine[n]
		if len(got) != 1 || got[0].pattern != name {
			t.Errorf("%s:%d: want exactly one finding of %s, got %v", file, n, name, got)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, w := range wordings {
		if planted[w.name] == 0 {
			t.Errorf("pattern %s is not planted in %s", w.name, file)
		}
	}
}

// Matches and non-matches that the planted sample's one-line format cannot
// show: phrases wrapped across lines, the allowed mirror folder, positions.
func TestFindWordingCases(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []string // pattern@line
	}{
		{"phrase wrapped across lines", "as reported by the\nissue, the run", []string{"the_issue@1"}},
		{"numbered item on a later line", "one\ntwo\nsee iss" + "ue #7", []string{"numbered_item@3"}},
		{"number after a line break", "fixed in issue\n12", []string{"numbered_item@1"}},
		{"the dataset mirror is a real location", "prune data fetch cifar10 --mirror ../shared/data", nil},
		{"the mirror's subfolders too", "`../shared/data/cifar-10-batches-bin`", nil},
		{"another folder beside the repository", "see ../shared/stack-notes.md", []string{"outside_folder@1"}},
		{"a folder named like the mirror", "../shared/database/x", []string{"outside_folder@1"}},
		{"both a private note and an absolute path", "(/work/shared/paper-" + "notes.md)", []string{"work_path@1", "private_notes@1"}},
		{"words that contain the patterns", "tissue 3, the issuer, issues raised, silent, lentil, unsessioned 4", nil},
		{"plural issues", "the issues of the parser: three", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, f := range findWording("case", []byte(c.text)) {
				got = append(got, fmt.Sprintf("%s@%d", f.pattern, f.line))
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("findWording(%q) = %v, want %v", c.text, got, c.want)
			}
		})
	}
}
