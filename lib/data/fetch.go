package data

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"beyondscaling/lib/progress"
)

// FetchOptions control Fetch.
type FetchOptions struct {
	// Mirror, if set, is a local folder holding <Folder>/ (or the official
	// file names) or an http(s) base address to download from instead of the
	// official addresses.
	Mirror string
	Client *http.Client
	Log    io.Writer
}

// ErrChecksum reports a file whose checksum or size differs from the release.
var ErrChecksum = errors.New("checksum mismatch")

// Fetch obtains the dataset name into dir/<Folder>, verified, unless a good
// copy is already there. Downloads resume from a partial file; nothing
// half-written is ever left under the final name.
func Fetch(ctx context.Context, name, dir string, opt FetchOptions) error {
	src, ok := Sources[name]
	if !ok {
		return fmt.Errorf("unknown dataset %q: known are %s", name, strings.Join(SourceNames(), ", "))
	}
	return FetchSource(ctx, src, dir, opt)
}

// SourceNames lists the registry's dataset names.
func SourceNames() []string {
	var out []string
	for n := range Sources {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// FetchSource is Fetch for a given source description.
func FetchSource(ctx context.Context, src Source, dir string, opt FetchOptions) error {
	if opt.Client == nil {
		opt.Client = http.DefaultClient
	}
	if opt.Log == nil {
		opt.Log = os.Stderr
	}
	if src.Manual != "" {
		return errors.New(src.Manual)
	}
	target := filepath.Join(dir, src.Folder)
	if err := VerifyFolder(src, target); err == nil && haveAll(src, target) {
		fmt.Fprintf(opt.Log, "%s: already present and verified in %s\n", src.Name, target)
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	local := opt.Mirror != "" && !strings.HasPrefix(opt.Mirror, "http://") && !strings.HasPrefix(opt.Mirror, "https://")
	if local {
		return copyFromMirror(src, opt.Mirror, target, opt.Log)
	}
	dl := filepath.Join(dir, ".downloads")
	if err := os.MkdirAll(dl, 0o755); err != nil {
		return err
	}
	urlOf := func(f RemoteFile) string {
		if opt.Mirror != "" {
			return strings.TrimSuffix(opt.Mirror, "/") + "/" + f.Name
		}
		return f.URL
	}
	if src.Archive != nil {
		path := filepath.Join(dl, src.Archive.Name)
		if err := download(ctx, opt.Client, urlOf(*src.Archive), path, *src.Archive, opt.Log); err != nil {
			return err
		}
		if err := unpackTarGz(path, dir, src.Folder); err != nil {
			return err
		}
	} else {
		if err := os.MkdirAll(target, 0o755); err != nil {
			return err
		}
		for _, f := range src.Files {
			path := filepath.Join(dl, f.Name)
			if err := download(ctx, opt.Client, urlOf(f), path, f, opt.Log); err != nil {
				return err
			}
			if err := os.Rename(path, filepath.Join(target, f.Name)); err != nil {
				return err
			}
		}
	}
	if err := VerifyFolder(src, target); err != nil {
		return err
	}
	fmt.Fprintf(opt.Log, "%s: fetched and verified into %s\n", src.Name, target)
	return nil
}

func haveAll(src Source, folder string) bool {
	names := []string{}
	for _, c := range src.Contents {
		names = append(names, c.Name)
	}
	for _, f := range src.Files {
		names = append(names, f.Name)
	}
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(folder, n)); err != nil {
			return false
		}
	}
	return len(names) > 0
}

// download fetches url into path, resuming from path+".part", shows
// progress, and checks size and MD5 before the file takes its final name.
func download(ctx context.Context, client *http.Client, url, path string, f RemoteFile, log io.Writer) error {
	if err := checkRemoteFile(path, f); err == nil {
		return nil
	}
	part := path + ".part"
	var have int64
	if st, err := os.Stat(part); err == nil {
		have = st.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("download %s: %w (a partial download, if any, is kept and resumed next time)", url, err)
	}
	defer resp.Body.Close()
	flags := os.O_CREATE | os.O_WRONLY
	switch resp.StatusCode {
	case http.StatusPartialContent:
		flags |= os.O_APPEND
	case http.StatusOK:
		flags |= os.O_TRUNC
		have = 0
	default:
		return fmt.Errorf("download %s: HTTP %s", url, resp.Status)
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return err
	}
	total := f.Size
	if total == 0 && resp.ContentLength > 0 {
		total = have + resp.ContentLength
	}
	bar := progress.New("download "+f.Name, int(total/1e6), "MB").WithWriter(log)
	bar.Add(int(have / 1e6))
	buf := make([]byte, 1<<20)
	var pending int64
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, err := out.Write(buf[:n]); err != nil {
				out.Close()
				return err
			}
			pending += int64(n)
			if pending >= 1e6 {
				bar.Add(int(pending / 1e6))
				pending %= 1e6
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			out.Close()
			return fmt.Errorf("download %s interrupted: %w (run the command again to resume)", url, rerr)
		}
	}
	bar.Done()
	if err := out.Close(); err != nil {
		return err
	}
	if err := checkRemoteFile(part, f); err != nil {
		os.Remove(part) // a bad download must not be resumed
		return fmt.Errorf("%s from %s: %w; the download was removed, run the command again", f.Name, url, err)
	}
	return os.Rename(part, path)
}

// checkRemoteFile checks size, MD5 and (for .gz) the decompressed SHA-256.
func checkRemoteFile(path string, f RemoteFile) error {
	if err := checkSize(path, f.Size); err != nil {
		return err
	}
	if f.MD5 != "" {
		sum, err := fileHash(path, md5.New())
		if err != nil {
			return err
		}
		if sum == f.MD5 {
			return nil
		}
		if f.RawSHA256 == "" {
			return fmt.Errorf("%w: %s has MD5 %s, the release has %s", ErrChecksum, path, sum, f.MD5)
		}
	}
	if f.RawSHA256 != "" {
		sum, err := gunzipHash(path)
		if err != nil {
			return err
		}
		if sum != f.RawSHA256 {
			return fmt.Errorf("%w: %s decompresses to SHA-256 %s, the release has %s", ErrChecksum, path, sum, f.RawSHA256)
		}
	}
	return nil
}

// checkSize compares a file's size with the release's (0: unknown).
func checkSize(path string, want int64) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if want > 0 && st.Size() != want {
		return fmt.Errorf("%w: %s has %d bytes, the release has %d (truncated? fetch again)", ErrChecksum, path, st.Size(), want)
	}
	return nil
}

func fileHash(path string, h hash.Hash) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	if _, err := io.Copy(h, fh); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func gunzipHash(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, zr); err != nil {
		return "", fmt.Errorf("%s: corrupt gzip stream: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// unpackTarGz extracts the archive into a temporary folder next to dir/folder
// and renames its top folder into place only when every entry is written.
func unpackTarGz(archive, dir, folder string) error {
	tmp, err := os.MkdirTemp(dir, ".unpack-"+folder+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fh, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return fmt.Errorf("%s: %w", archive, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: corrupt archive: %w", archive, err)
		}
		name := filepath.Clean(h.Name)
		if filepath.IsAbs(name) || strings.HasPrefix(name, "..") {
			return fmt.Errorf("%s: unsafe path %q in archive", archive, h.Name)
		}
		p := filepath.Join(tmp, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			out, err := os.Create(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(out, tr)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("%s: %w", archive, err)
			}
		}
	}
	top := filepath.Join(tmp, folder)
	if _, err := os.Stat(top); err != nil {
		return fmt.Errorf("%s does not contain the folder %s", archive, folder)
	}
	target := filepath.Join(dir, folder)
	os.RemoveAll(target) // an incomplete earlier copy
	return os.Rename(top, target)
}

// copyFromMirror copies a dataset from a local mirror folder (which holds
// <Folder>/ or the release's files directly), verifying as it goes, into a
// temporary folder renamed into place at the end. Files on the same file
// system are hard-linked instead of copied.
func copyFromMirror(src Source, mirror, target string, log io.Writer) error {
	from := filepath.Join(mirror, src.Folder)
	if _, err := os.Stat(from); err != nil {
		from = mirror
	}
	var names []string
	for _, c := range src.Contents {
		names = append(names, c.Name)
	}
	for _, f := range src.Files {
		names = append(names, f.Name)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(target), ".mirror-"+src.Folder+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, n := range names {
		s, d := filepath.Join(from, n), filepath.Join(tmp, n)
		if err := os.Link(s, d); err != nil {
			if err := copyFile(s, d); err != nil {
				return fmt.Errorf("mirror %s: %w", mirror, err)
			}
		}
	}
	for _, f := range src.Files {
		if err := checkRemoteFile(filepath.Join(tmp, f.Name), f); err != nil {
			return fmt.Errorf("mirror %s: %w", mirror, err)
		}
	}
	if err := VerifyFolder(src, tmp); err != nil {
		return fmt.Errorf("mirror %s: %w", mirror, err)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	// Keep files of other sources sharing the folder (svhn and svhn-extra).
	if _, err := os.Stat(target); err == nil {
		for _, n := range names {
			if err := os.Rename(filepath.Join(tmp, n), filepath.Join(target, n)); err != nil {
				return err
			}
		}
	} else if err := os.Rename(tmp, target); err != nil {
		return err
	}
	fmt.Fprintf(log, "%s: copied from mirror %s and verified into %s\n", src.Name, from, target)
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// VerifyFolder checks the files of a dataset folder against the release:
// presence, sizes and SHA-256 where known.
func VerifyFolder(src Source, folder string) error {
	for _, c := range src.Contents {
		p := filepath.Join(folder, c.Name)
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s: missing %s (fetch it with `prune data fetch %s`)", src.Name, p, src.Name)
		}
		if err := checkSize(p, c.Size); err != nil {
			return err
		}
		if c.SHA256 != "" {
			sum, err := fileHash(p, sha256.New())
			if err != nil {
				return err
			}
			if sum != c.SHA256 {
				return fmt.Errorf("%w: %s has SHA-256 %s, the release has %s (fetch again)", ErrChecksum, p, sum, c.SHA256)
			}
		}
	}
	return nil
}
