package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"beyondscaling/lib/atomicfile"
	"beyondscaling/lib/prune"
)

// officialMetrics name the generated files like the authors' ImageNet
// release (ImageNet-1K_<metric>.csv): ten metrics and five random seeds.
var officialMetrics = []string{
	"el2n", "grand", "forgetting", "memorization", "self_supervised_prototypes",
	"supervised_prototypes", "active_learning", "influence", "ddd", "aum",
	"random_1", "random_2", "random_3", "random_4", "random_5",
}

// benchCorrelate generates official-size score files (1,281,167 ILSVRC
// training IDs each) and times prune correlate on the first 6 and on all
// of them, in a child process so that its peak memory is its own.
func benchCorrelate(args []string, stdout io.Writer) error {
	fs := newFlags("bench correlate", "[--files 15] [--rows 1281167] [--sizes 6,15] [--dir DIR]")
	files := fs.Int("files", len(officialMetrics), "score files to generate (at most 15)")
	rows := fs.Int("rows", prune.ILSVRCTrainImages, "rows per file (ILSVRC-2012 training IDs)")
	sizeList := fs.String("sizes", "6,15", "numbers of files correlate is timed on")
	dir := fs.String("dir", "", "folder for the generated files (default: a temporary folder, removed afterwards)")
	seed := fs.Uint64("seed", 1, "seed of the generated scores")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *files < 2 || *files > len(officialMetrics) || *rows < 1000 {
		return fmt.Errorf("--files must be in [2, %d] and --rows at least 1000", len(officialMetrics))
	}
	sizes, err := floatList("sizes", *sizeList)
	if err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "prune-bench-correlate-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	} else if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	t0 := time.Now()
	paths, err := writeOfficialSizeFiles(*dir, *files, *rows, *seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generated %d files of %d rows (IDs like n01440764_10026, shuffled per file) in %s: %v\n", len(paths), *rows, *dir, time.Since(t0).Round(time.Millisecond))
	for _, s := range sizes {
		k := int(s)
		if k < 2 || k > len(paths) {
			continue
		}
		args := append([]string{"correlate"}, paths[:k]...)
		if *rows != prune.ILSVRCTrainImages {
			args = append([]string{"correlate", "--partial"}, paths[:k]...)
		}
		wall, cpu, peak, out, err := timeCommand(args)
		if err != nil {
			return fmt.Errorf("correlate on %d files: %w\n%s", k, err, out)
		}
		mem := "peak memory and CPU not measured (in-process run)"
		if peak > 0 {
			mem = fmt.Sprintf("peak resident memory %.0f MiB", float64(peak)/(1<<20))
		}
		fmt.Fprintf(stdout, "correlate, %d files × %d rows: %.1f s wall, %.1f s CPU (user+system), %s\n", k, *rows, wall.Seconds(), cpu.Seconds(), mem)
		if k == int(sizes[len(sizes)-1]) {
			fmt.Fprintf(stdout, "its output:\n%s", out)
		}
	}
	fmt.Fprintln(stdout, "targets on 2 cores: 6 files < 25 s, 15 files < 60 s, each < 1 GiB; times depend on the machine's load")
	return nil
}

// timeCommand runs prune with args in a child process (in-process under go
// test, where the executable is the test binary) and returns its wall time,
// CPU time (0 when not measured: the CPU time shows the work when other
// programs load the machine), peak resident memory in bytes (0 when not
// measured) and output.
func timeCommand(args []string) (wall, cpu time.Duration, peak int64, out string, err error) {
	if testing.Testing() {
		var o, e bytes.Buffer
		t0 := time.Now()
		if code := run(args, &o, &e); code != 0 {
			return 0, 0, 0, o.String() + e.String(), fmt.Errorf("exit %d", code)
		}
		return time.Since(t0), 0, 0, o.String(), nil
	}
	exe, err := os.Executable()
	if err != nil {
		return 0, 0, 0, "", err
	}
	cmd := exec.Command(exe, args...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	t0 := time.Now()
	err = cmd.Run()
	wall = time.Since(t0)
	if cmd.ProcessState != nil {
		cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = ru.Maxrss * 1024 // kilobytes on Linux
		}
	}
	return wall, cpu, peak, buf.String(), err
}

// writeOfficialSizeFiles writes files ImageNet-1K_<metric>.csv with one row
// per ILSVRC-style training ID: 1000 classes of about rows/1000 images. The
// metrics share a latent difficulty (so their correlations are neither 0
// nor 1); active learning is binary (many ties); random files are uniform.
func writeOfficialSizeFiles(dir string, files, rows int, seed uint64) ([]string, error) {
	rng := rand.New(rand.NewPCG(seed, 0xbe4c))
	ids := make([]string, rows)
	per, extra := rows/1000, rows%1000
	i := 0
	for c := 0; c < 1000; c++ {
		wnid := fmt.Sprintf("n%08d", 1440764+c*9973)
		n := per
		if c < extra {
			n++
		}
		for j := 0; j < n; j++ {
			ids[i] = fmt.Sprintf("%s_%d", wnid, 10000+j*7+rng.IntN(7))
			i++
		}
	}
	latent := make([]float64, rows)
	for i := range latent {
		latent[i] = rng.NormFloat64()
	}
	var paths []string
	for k := 0; k < files; k++ {
		name := officialMetrics[k]
		p := filepath.Join(dir, "ImageNet-1K_"+name+".csv")
		noise := 0.3 + 0.2*float64(k)
		order := rng.Perm(rows)
		err := atomicfile.Write(p, func(w io.Writer) error {
			bw := bufio.NewWriterSize(w, 1<<20)
			bw.WriteString("filename,score\n")
			var buf []byte
			for _, i := range order {
				var v float64
				switch {
				case strings.HasPrefix(name, "random"):
					v = rng.Float64()
				case name == "active_learning":
					if latent[i]+rng.NormFloat64() > 1 {
						v = 1
					}
				default:
					v = math.Exp(latent[i] + noise*rng.NormFloat64())
				}
				buf = append(buf[:0], ids[i]...)
				buf = append(buf, ',')
				buf = strconv.AppendFloat(buf, v, 'g', 9, 64)
				buf = append(buf, '\n')
				bw.Write(buf)
			}
			return bw.Flush()
		})
		if err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}
