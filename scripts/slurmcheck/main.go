// Command slurmcheck runs a small sweep as a Slurm job array, exported by
// `prune sweep export --slurm`, on a running Slurm cluster and checks what
// a cluster run must guarantee. scripts/slurm-check.sh starts a one-node
// cluster on the loopback address, runs this program and stops the cluster
// again; see environment.md, "Running on a cluster".
//
// The checks, each printed as it passes (any failure stops the program
// with exit status 1):
//   - several array tasks run at once against one store (the largest number
//     seen running together is printed);
//   - work the tasks share is done once: each score file (and so each probe
//     network behind it) is computed by one task, the others wait for it
//     (lib/atomicfile.Lock: an flock between processes) and reuse it;
//   - a task killed in the middle of its run (stopped after it has started
//     the run, then killed with SIGKILL) leaves no record and no temporary
//     file, and resubmitting the whole array trains exactly that run: every
//     other record is left as it was;
//   - the records equal those of a local `prune sweep run` of the same spec
//     in every value but the timings (seconds, selection_seconds, finished);
//   - a spec that cannot be read, and a dataset that is not on the machine,
//     make the tasks fail with the error and its fix in the log files the
//     export names.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"beyondscaling/lib/cachekey"
	"beyondscaling/lib/project"
	"beyondscaling/lib/sweep"
)

func main() {
	prune := flag.String("prune", "", "the prune binary the tasks run (absolute path)")
	work := flag.String("work", "", "a scratch folder standing in for shared storage")
	flag.Parse()
	if *prune == "" || *work == "" {
		fmt.Fprintln(os.Stderr, "usage: slurmcheck -prune BIN -work DIR (scripts/slurm-check.sh runs it)")
		os.Exit(2)
	}
	start := time.Now()
	if err := run(*prune, *work); err != nil {
		fmt.Fprintln(os.Stderr, "slurm check: FAIL:", err)
		os.Exit(1)
	}
	fmt.Printf("slurm check: passed in %s\n", time.Since(start).Round(time.Second))
}

// checkSpec is the sweep the array runs: the smoke profile on Fashion-MNIST,
// EL2N (which needs probe networks, trained on first use) and random
// pruning, kept hard and easy, on three seeds of two initial sizes.
func checkSpec(name string) sweep.Spec {
	return sweep.Spec{Name: name, Dataset: "fashion-mnist", Model: "mlp", Preset: project.Smoke,
		Metrics: []string{"el2n-20", "random"}, Keeps: []string{"hard", "easy"},
		Fractions: []float64{0.5, 1}, Sizes: []int{300, 600}, Seeds: []uint64{1, 2, 3}}
}

func run(prune, work string) error {
	// The same threads for the tasks and for the local run, so that their
	// arithmetic is the same: one oneDNN thread, two Go threads (sbatch
	// passes the environment on).
	os.Setenv("OMP_NUM_THREADS", "1")
	os.Setenv("GOMAXPROCS", "2")
	spec := checkSpec("slurm check")
	specPath, storeDir := filepath.Join(work, "spec.json"), filepath.Join(work, "store")
	if err := writeJSON(specPath, spec); err != nil {
		return err
	}
	runs := spec.Runs()
	n := len(runs)
	script := filepath.Join(work, "array.sh")
	if _, err := command(prune, "sweep", "export", "--spec", specPath, "--store", storeDir, "--slurm", script,
		"--binary", prune, "--gpus", "0", "--cpus", "1", "--mem", "1G", "--time", "00:30:00"); err != nil {
		return err
	}
	fmt.Printf("exported %s: a job array of %d tasks, one run each\n", script, n)

	// First pass, with one task stopped in the middle of its run and killed:
	// the first task seen training a probe network for its scores (while it
	// holds the lock of that score file and writes the network's folder).
	job, err := submit(script)
	if err != nil {
		return err
	}
	logOf := func(job string, i int) string {
		return filepath.Join(storeDir, "logs", fmt.Sprintf("%s_%d.log", job, i))
	}
	st := sweep.Store{Dir: storeDir}
	most, killed, target := 0, false, -1
	var together []int
	var lastLog string
	overlapped := map[[2]int]bool{}
	tried := map[int]bool{}
	probeTraining := regexp.MustCompile(`(?m)^probe \S+: \S+ on \d+ examples`)
	err = wait(job, func(running []int) error {
		if len(running) > most {
			most, together = len(running), running
		}
		for a, i := range running {
			for _, j := range running[a+1:] {
				overlapped[[2]int{i, j}] = true
			}
		}
		for _, i := range running {
			if killed || tried[i] {
				continue
			}
			b, err := os.ReadFile(logOf(job, i))
			if err != nil || !probeTraining.Match(b) {
				continue
			}
			tried[i] = true
			ok, err := killMidRun(prune, i, st, runs[i])
			if err != nil {
				return err
			}
			if ok {
				killed, target, lastLog = true, i, lastLine(b)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !killed {
		return fmt.Errorf("no task was caught holding the lock of its score file (tried tasks %v), so none could be killed there", keys(tried))
	}
	if most < 2 {
		return fmt.Errorf("at most %d task ran at a time: the check needs tasks running together", most)
	}
	fmt.Printf("%d array tasks ran at once against one store (tasks %v)\n", most, together)
	state, err := taskState(job, target)
	if err != nil {
		return err
	}
	done, missing := st.Collect(spec)
	if len(missing) != 1 || missing[0].Key() != runs[target].Key() {
		return fmt.Errorf("after the first pass %d of %d runs are missing (%v), want only the killed run %d", len(missing), n, missing, target)
	}
	if tmp, err := strayFiles(filepath.Join(storeDir, "runs")); err != nil || len(tmp) > 0 {
		return fmt.Errorf("the store's runs folder holds files that are not records: %v %v", tmp, err)
	}
	temps, err := tempFiles(storeDir)
	if err != nil {
		return err
	}
	fmt.Printf("task %d, stopped while it held the lock of its score file and trained a probe network (its log's last line: %q), then killed: state %s, no record; %d other records written; %s\n",
		target, lastLog, state, len(done), temps)

	shared, err := sharedWork(job, runs, target, overlapped, logOf)
	if err != nil {
		return err
	}
	fmt.Println(shared)

	// Second pass: the whole array again.
	before, err := snapshot(storeDir)
	if err != nil {
		return err
	}
	job2, err := submit(script)
	if err != nil {
		return err
	}
	if err := wait(job2, nil); err != nil {
		return err
	}
	after, err := snapshot(storeDir)
	if err != nil {
		return err
	}
	if len(after) != n {
		return fmt.Errorf("after resubmitting, the store holds %d records, want %d", len(after), n)
	}
	for key, was := range before {
		if now, ok := after[key]; !ok {
			return fmt.Errorf("resubmitting removed the finished record %s", key)
		} else if now != was {
			return fmt.Errorf("resubmitting rewrote the finished record %s", key)
		}
	}
	trained := 0
	for i := range n {
		b, err := os.ReadFile(logOf(job2, i))
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(", 1 to run\n")) {
			trained++
			if i != target {
				return fmt.Errorf("resubmitted task %d ran its run again, though its record was there:\n%s", i, b)
			}
		}
	}
	if trained != 1 {
		return fmt.Errorf("resubmitted, %d tasks ran their run, want 1 (task %d)", trained, target)
	}
	fmt.Printf("resubmitted the whole array: task %d ran its run, the other %d found their records and left them as they were\n", target, n-1)

	// The same spec run locally, in one process.
	local := sweep.Store{Dir: filepath.Join(work, "local")}
	if _, err := command(prune, "sweep", "run", "--spec", specPath, "--store", local.Dir); err != nil {
		return err
	}
	if err := sameRecords(st, local, runs); err != nil {
		return err
	}
	fmt.Printf("records equal to the local run: %d records, every field but seconds, selection_seconds and finished\n", n)

	// Tasks that cannot run say why in their log files.
	if err := failingTasks(prune, work); err != nil {
		return err
	}
	return nil
}

// killMidRun stops task i's process (SIGSTOP) and, if it then holds a lock
// (a flock, listed in /proc/locks: the lock of the score file it is
// computing) and its run has no record, kills it (SIGKILL), as a node
// failure would. Otherwise it lets the task go on and reports false.
func killMidRun(prune string, i int, st sweep.Store, r sweep.Run) (bool, error) {
	pid, err := taskPID(prune, i)
	if err != nil {
		return false, nil // it has exited
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		return false, nil
	}
	locks, err := os.ReadFile("/proc/locks")
	if err != nil {
		syscall.Kill(pid, syscall.SIGCONT)
		return false, err
	}
	holds := regexp.MustCompile(`(?m)^\d+: FLOCK\s+ADVISORY\s+WRITE\s+` + strconv.Itoa(pid) + `\s`).Match(locks)
	if !holds || st.Has(r.Key()) {
		syscall.Kill(pid, syscall.SIGCONT)
		return false, nil
	}
	return true, syscall.Kill(pid, syscall.SIGKILL)
}

// taskPID finds the prune process of array task i by its command line.
func taskPID(prune string, i int) (int, error) {
	out, err := exec.Command("pgrep", "-f", "-x", regexp.QuoteMeta(prune)+` sweep run .* --index `+strconv.Itoa(i)).Output()
	if err != nil {
		return 0, fmt.Errorf("finding the process of task %d: %v", i, err)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 1 {
		return 0, fmt.Errorf("finding the process of task %d: pgrep found %q", i, out)
	}
	return strconv.Atoi(fields[0])
}

// sharedWork reads the first pass's task logs: every score file was computed
// by one task (the runner logs "scores of ... computing METRIC" when it
// computes one), except one that the killed task had begun: the next task
// that needed it, waiting on its lock, computed it once the lock was freed.
// Each score file is needed by two runs (keep hard and keep easy of one
// initial set); at least one such pair must have run at the same time, or
// the lock would not have been put to the test.
func sharedWork(job string, runs []sweep.Run, killed int, overlapped map[[2]int]bool, logOf func(string, int) string) (string, error) {
	computing := regexp.MustCompile(`scores of (\S+) for n = (\d+), seed (\d+): computing (\S+)`)
	probe := regexp.MustCompile(`probe (\S+): \S+ on \d+ examples`)
	by := map[string][]int{}
	probes := 0
	for i := range runs {
		f, err := os.Open(logOf(job, i))
		if err != nil {
			return "", err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if m := computing.FindStringSubmatch(sc.Text()); m != nil {
				k := strings.Join(m[1:], " ")
				by[k] = append(by[k], i)
			}
			if probe.MatchString(sc.Text()) {
				probes++
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return "", err
		}
	}
	if len(by) == 0 {
		return "", errors.New("no task computed scores: the check needs shared work")
	}
	takeover := ""
	for k, tasks := range by {
		others := slices.DeleteFunc(slices.Clone(tasks), func(i int) bool { return i == killed })
		if len(others) != 1 {
			return "", fmt.Errorf("scores %s were computed by tasks %v, want one (besides the killed task %d)", k, tasks, killed)
		}
		if len(tasks) == 2 {
			takeover = fmt.Sprintf("; task %d computed the score file (%s) that the killed task %d had begun, once the kernel freed the dead task's lock", others[0], k, killed)
		}
	}
	needing := map[string][]int{} // initial set -> the tasks whose runs need its scores
	for i, r := range runs {
		if r.Metric != "random" && r.Fraction < 1 {
			k := fmt.Sprintf("%d %d", r.Size, r.Seed)
			needing[k] = append(needing[k], i)
		}
	}
	together := 0
	for _, tasks := range needing {
		if len(tasks) == 2 && overlapped[[2]int{tasks[0], tasks[1]}] {
			together++
		}
	}
	if together == 0 {
		return "", errors.New("no two tasks that needed the same score file ran at the same time: the lock was not put to the test")
	}
	return fmt.Sprintf("shared work done once: %d score files, each computed by one task; for %d of them both tasks that needed it ran at the same time, and the second waited on the lock and reused it%s; %d probe network trainings started in all",
		len(by), together, takeover, probes), nil
}

// failingTasks submits a spec whose dataset is not on this machine, and one
// whose spec file is corrupted after the export, and checks that their
// tasks fail with the reason and its fix in their log files.
func failingTasks(prune, work string) error {
	for _, c := range []struct {
		name, want string
		spec       sweep.Spec
		corrupt    bool
	}{
		{"missing dataset", "prune data fetch svhn",
			sweep.Spec{Name: "slurm check, missing dataset", Dataset: "svhn", Model: "mlp", Preset: project.Smoke,
				Metrics: []string{"random"}, Keeps: []string{"hard"}, Fractions: []float64{0.5}, Sizes: []int{300}, Seeds: []uint64{1}}, false},
		{"unreadable spec", "fix the file", checkSpec("slurm check, corrupted spec"), true},
	} {
		dir := filepath.Join(work, strings.ReplaceAll(c.name, " ", "-"))
		specPath, script := filepath.Join(dir, "spec.json"), filepath.Join(dir, "array.sh")
		if err := writeJSON(specPath, c.spec); err != nil {
			return err
		}
		if _, err := command(prune, "sweep", "export", "--spec", specPath, "--store", filepath.Join(dir, "store"), "--slurm", script,
			"--binary", prune, "--gpus", "0", "--cpus", "1", "--mem", "1G", "--time", "00:10:00"); err != nil {
			return err
		}
		if c.corrupt {
			if err := os.WriteFile(specPath, []byte(`{"name": "slurm check", "dataset": `), 0o644); err != nil {
				return err
			}
		}
		// No dataset anywhere the task looks: an empty data folder, shared
		// mirror and repository root.
		empty := filepath.Join(dir, "empty")
		if err := os.MkdirAll(empty, 0o755); err != nil {
			return err
		}
		job, err := submit(script, "--export=ALL,PRUNE_DATA="+empty+",PRUNE_SHARED_DATA="+empty+",PRUNE_ROOT="+empty)
		if err != nil {
			return err
		}
		if err := wait(job, nil); err != nil {
			return err
		}
		state, err := taskState(job, 0)
		if err != nil {
			return err
		}
		logFile := filepath.Join(dir, "store", "logs", job+"_0.log")
		b, err := os.ReadFile(logFile)
		if err != nil {
			return err
		}
		if state != "FAILED" || !bytes.Contains(b, []byte(c.want)) {
			return fmt.Errorf("%s: task state %s, log %s says:\n%s\nwant a failure naming %q", c.name, state, logFile, b, c.want)
		}
		fmt.Printf("%s: the task failed (%s) and its log says: %s\n", c.name, state, lastLine(b))
	}
	return nil
}

// sameRecords compares the cluster's and the local run's records field by
// field (as JSON, so that every field counts) after clearing the timings.
func sameRecords(cluster, local sweep.Store, runs []sweep.Run) error {
	for _, r := range runs {
		a, err := cluster.Load(r.Key())
		if err != nil {
			return err
		}
		b, err := local.Load(r.Key())
		if err != nil {
			return err
		}
		for _, rec := range []*sweep.Record{&a, &b} {
			rec.Seconds, rec.SelectionSeconds, rec.Finished = 0, 0, time.Time{}
		}
		if d := cachekey.Diff(a, b); len(d) > 0 {
			return fmt.Errorf("run %s: the cluster's record differs from the local run's in %v", r, d)
		}
	}
	return nil
}

// snapshot is a digest of every record file in a store, by key.
func snapshot(storeDir string) (map[string][32]byte, error) {
	files, err := filepath.Glob(filepath.Join(storeDir, "runs", "*.json"))
	if err != nil {
		return nil, err
	}
	out := map[string][32]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		info, err := os.Stat(f)
		if err != nil {
			return nil, err
		}
		// The content, the modification time and the inode: a record
		// written again (a new file renamed into place) changes the inode.
		var ino uint64
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			ino = st.Ino
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = sha256.Sum256(fmt.Appendf(b, "%s %d", info.ModTime(), ino))
	}
	return out, nil
}

// strayFiles lists the files of a folder that are not records.
func strayFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// submit submits a job script and returns the job's ID.
func submit(script string, flags ...string) (string, error) {
	out, err := command("sbatch", append(append([]string{"--parsable"}, flags...), script)...)
	if err != nil {
		return "", err
	}
	id, _, _ := strings.Cut(strings.TrimSpace(out), ";")
	return id, nil
}

// wait polls squeue until the job has left the queue, calling poll with
// the array tasks running at each look.
func wait(job string, poll func(running []int) error) error {
	deadline := time.Now().Add(20 * time.Minute)
	for time.Now().Before(deadline) {
		out, err := command("squeue", "-h", "-r", "-j", job, "-o", "%K %T")
		for try := 1; err != nil && try < 5; try++ { // a busy controller may time out once
			time.Sleep(time.Second)
			out, err = command("squeue", "-h", "-r", "-j", job, "-o", "%K %T")
		}
		if err != nil {
			return err
		}
		var running []int
		queued := 0
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			queued++
			if i, err := strconv.Atoi(f[0]); err == nil && f[1] == "RUNNING" {
				running = append(running, i)
			}
		}
		if queued == 0 {
			return nil
		}
		if poll != nil {
			sort.Ints(running)
			if err := poll(running); err != nil {
				return err
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("job %s did not finish within 20 minutes", job)
}

// taskState is an array task's final state (scontrol keeps finished jobs
// for a while; no accounting database is needed).
func taskState(job string, i int) (string, error) {
	out, err := command("scontrol", "show", "job", fmt.Sprintf("%s_%d", job, i))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`JobState=(\S+)`).FindStringSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("no JobState for task %s_%d in:\n%s", job, i, out)
	}
	return m[1], nil
}

func command(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// tempFiles says what temporary files (atomicfile's ".NAME.tmp-*") the
// store holds: a killed task cannot remove the one it was writing, and no
// reader takes it for a result, since readers open final names only.
func tempFiles(storeDir string) (string, error) {
	var found []string
	err := filepath.WalkDir(storeDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && strings.Contains(d.Name(), ".tmp-") {
			rel, _ := filepath.Rel(storeDir, path)
			found = append(found, rel)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if len(found) == 0 {
		return "no temporary file left in the store", nil
	}
	return fmt.Sprintf("temporary files left by the killed task, under names no reader opens: %v", found), nil
}

func keys(m map[int]bool) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
