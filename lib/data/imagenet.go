package data

import (
	"fmt"
	"image"
	_ "image/jpeg" // ILSVRC images
	_ "image/png"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"golang.org/x/image/draw"

	"beyondscaling/lib/progress"
)

// ImageNetOptions control ReadImageNet.
type ImageNetOptions struct {
	// Size is the side of the stored images (default 64). Evaluation
	// preprocessing resizes the shorter side to Size·256/224 and crops the
	// centre Size×Size, as the paper's recipe does at 224 (resize 256,
	// centre crop 224). Training draws random resized crops from these.
	Size int
	// CacheDir, when set, keeps the preprocessed split there (one file per
	// split and size) so later reads skip decoding.
	CacheDir string
	// Workers decoding in parallel (default: all CPUs).
	Workers int
}

// ReadImageNet reads ILSVRC-2012 images laid out as <dir>/<split>/<wnid>/*.JPEG
// (the validation split may instead be a flat folder with a labels file
// <dir>/<split>_labels.txt of "<file> <wnid>" lines). Classes are the sorted
// WordNet IDs (the usual order); an example's ID is its file name without
// extension (e.g. n01440764_10026), unique across ILSVRC.
func ReadImageNet(dir, split string, opt ImageNetOptions) (*Dataset, error) {
	if opt.Size == 0 {
		opt.Size = 64
	}
	if opt.Workers == 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	files, labels, classes, err := listImageNet(dir, split)
	if err != nil {
		return nil, err
	}
	key := cacheKey("imagenet", split, opt.Size, files)
	if opt.CacheDir != "" {
		if d, err := loadCache(filepath.Join(opt.CacheDir, key)); err == nil {
			return d, nil
		}
	}
	n := len(files)
	s := opt.Size
	d := &Dataset{Name: "imagenet", Split: split, H: s, W: s, C: 3, Images: make([]uint8, n*s*s*3),
		Labels: labels, Classes: classes, IDs: make([]string, n)}
	for i, f := range files {
		d.IDs[i] = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
	}
	bar := progress.New("decode imagenet/"+split, n, "img")
	errs := make([]error, opt.Workers)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < opt.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := range next {
				img, err := decodeFile(files[i])
				if err != nil {
					if errs[w] == nil {
						errs[w] = err
					}
					continue
				}
				CenterCropResize(img, s, d.Image(i))
				bar.Add(1)
			}
		}(w)
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	bar.Done()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if opt.CacheDir != "" {
		if err := saveCache(filepath.Join(opt.CacheDir, key), d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func listImageNet(dir, split string) (files []string, labels []int32, classes []string, err error) {
	root := filepath.Join(dir, split)
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w (ImageNet must be obtained from image-net.org and laid out as %s/<wnid>/*.JPEG)", err, root)
	}
	for _, e := range entries {
		if e.IsDir() {
			classes = append(classes, e.Name())
		}
	}
	sort.Strings(classes)
	if len(classes) > 0 {
		for ci, c := range classes {
			imgs, err := os.ReadDir(filepath.Join(root, c))
			if err != nil {
				return nil, nil, nil, err
			}
			for _, im := range imgs {
				if !im.IsDir() && isImageFile(im.Name()) {
					files = append(files, filepath.Join(root, c, im.Name()))
					labels = append(labels, int32(ci))
				}
			}
		}
	} else {
		lf := filepath.Join(dir, split+"_labels.txt")
		lines, err := readLines(lf)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s has no class folders and no labels file %s: %w", root, lf, err)
		}
		byClass := map[string]int32{}
		type pair struct{ file, wnid string }
		var ps []pair
		for _, l := range lines {
			f := strings.Fields(l)
			if len(f) != 2 {
				return nil, nil, nil, fmt.Errorf("%s: line %q is not \"<file> <wnid>\"", lf, l)
			}
			ps = append(ps, pair{f[0], f[1]})
			byClass[f[1]] = 0
		}
		for c := range byClass {
			classes = append(classes, c)
		}
		sort.Strings(classes)
		for i, c := range classes {
			byClass[c] = int32(i)
		}
		sort.Slice(ps, func(a, b int) bool { return ps[a].file < ps[b].file })
		for _, p := range ps {
			files = append(files, filepath.Join(root, p.file))
			labels = append(labels, byClass[p.wnid])
		}
	}
	if len(files) == 0 {
		return nil, nil, nil, fmt.Errorf("no images found under %s", root)
	}
	return files, labels, classes, nil
}

func isImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpeg", ".jpg", ".png":
		return true
	}
	return false
}

func decodeFile(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot decode the image: %w", path, err)
	}
	return img, nil
}

// CenterCropResize resizes img so that its shorter side is size·256/224 and
// writes the centre size×size crop into dst (H×W×3 bytes).
func CenterCropResize(img image.Image, size int, dst []uint8) {
	b := img.Bounds()
	short := min(b.Dx(), b.Dy())
	// The crop of the original that maps to the output: a centred square of
	// side short·224/256.
	side := max(1, short*224/256)
	x0 := b.Min.X + (b.Dx()-side)/2
	y0 := b.Min.Y + (b.Dy()-side)/2
	resizeInto(img, image.Rect(x0, y0, x0+side, y0+side), size, size, dst)
}

// resizeInto scales the src rectangle of img to w×h RGB bytes (Catmull-Rom,
// which averages over the source when shrinking).
func resizeInto(img image.Image, src image.Rectangle, w, h int, dst []uint8) {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(out, out.Bounds(), img, src, draw.Src, nil)
	for i := 0; i < w*h; i++ {
		dst[3*i], dst[3*i+1], dst[3*i+2] = out.Pix[4*i], out.Pix[4*i+1], out.Pix[4*i+2]
	}
}
