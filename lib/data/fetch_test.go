package data

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// toyArchive is a .tar.gz with toy/a.bin and toy/b.bin, and its Source.
func toyArchive(t *testing.T) ([]byte, Source) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	files := map[string][]byte{"a.bin": bytes.Repeat([]byte("pruning "), 5000), "b.bin": []byte("scaling laws")}
	tw.WriteHeader(&tar.Header{Name: "toy/", Typeflag: tar.TypeDir, Mode: 0o755})
	var contents []FileSum
	for _, n := range []string{"a.bin", "b.bin"} {
		b := files[n]
		tw.WriteHeader(&tar.Header{Name: "toy/" + n, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b))})
		tw.Write(b)
		s := sha256.Sum256(b)
		contents = append(contents, FileSum{Name: n, Size: int64(len(b)), SHA256: hex.EncodeToString(s[:])})
	}
	tw.Close()
	zw.Close()
	m := md5.Sum(buf.Bytes())
	return buf.Bytes(), Source{Name: "toy", Folder: "toy", Contents: contents,
		Archive: &RemoteFile{Name: "toy.tar.gz", Size: int64(buf.Len()), MD5: hex.EncodeToString(m[:])}}
}

// serve serves content on loopback with Range support, counting requests
// that asked for a range.
func serve(t *testing.T, content []byte, ranged *int32) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			atomic.AddInt32(ranged, 1)
		}
		http.ServeContent(w, r, "toy.tar.gz", time.Unix(0, 0), bytes.NewReader(content))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/toy.tar.gz"
}

func TestFetchDownloadsVerifiesUnpacks(t *testing.T) {
	content, src := toyArchive(t)
	var ranged int32
	src.Archive.URL = serve(t, content, &ranged)
	dir := t.TempDir()
	var log bytes.Buffer
	if err := FetchSource(context.Background(), src, dir, FetchOptions{Log: &log}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "toy", "b.bin")); string(b) != "scaling laws" {
		t.Errorf("b.bin = %q", b)
	}
	if !strings.Contains(log.String(), "download toy.tar.gz") {
		t.Errorf("no progress line: %q", log.String())
	}
	log.Reset()
	if err := FetchSource(context.Background(), src, dir, FetchOptions{Log: &log}); err != nil || !strings.Contains(log.String(), "already present") {
		t.Errorf("second fetch: %v %q", err, log.String())
	}
}

func TestFetchResumesPartialDownload(t *testing.T) {
	content, src := toyArchive(t)
	var ranged int32
	src.Archive.URL = serve(t, content, &ranged)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, ".downloads"), 0o755)
	os.WriteFile(filepath.Join(dir, ".downloads", "toy.tar.gz.part"), content[:len(content)/2], 0o644)
	if err := FetchSource(context.Background(), src, dir, FetchOptions{Log: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if atomic.LoadInt32(&ranged) != 1 {
		t.Errorf("%d range requests, want 1 (resume)", ranged)
	}
	if err := VerifyFolder(src, filepath.Join(dir, "toy")); err != nil {
		t.Error(err)
	}
}

func TestFetchRejectsBadChecksumAndLeavesNothing(t *testing.T) {
	content, src := toyArchive(t)
	src.Archive.MD5 = strings.Repeat("0", 32)
	var ranged int32
	src.Archive.URL = serve(t, content, &ranged)
	dir := t.TempDir()
	err := FetchSource(context.Background(), src, dir, FetchOptions{Log: io.Discard})
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("error %v, want a checksum mismatch", err)
	}
	for _, p := range []string{"toy", ".downloads/toy.tar.gz", ".downloads/toy.tar.gz.part"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("%s left behind", p)
		}
	}
}

func TestFetchFromLocalMirrors(t *testing.T) {
	// CIFAR-10 from the shared mirror (hard links or copies, SHA-256 checked).
	mirror := filepath.Dir(cifarDir(t))
	dir := t.TempDir()
	if err := Fetch(context.Background(), "cifar10", dir, FetchOptions{Mirror: mirror, Log: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if d, err := ReadCIFAR10(filepath.Join(dir, "cifar-10-batches-bin"), "test"); err != nil || d.Len() != 10000 {
		t.Errorf("read after fetch: %v", err)
	}
	// Fashion-MNIST from Debian's package: recompressed, so it verifies by the
	// SHA-256 of its decompressed content.
	if _, err := os.Stat(DebianFashionMNIST); err == nil {
		if err := Fetch(context.Background(), "fashion-mnist", dir, FetchOptions{Mirror: DebianFashionMNIST, Log: io.Discard}); err != nil {
			t.Fatal(err)
		}
		if d, err := ReadIDX(filepath.Join(dir, "fashion-mnist"), "fashion-mnist", "test"); err != nil || d.Len() != 10000 {
			t.Errorf("read after fetch: %v", err)
		}
	}
}

func TestFetchRejectsCorruptMirror(t *testing.T) {
	_, src := toyArchive(t)
	mirror := t.TempDir()
	os.MkdirAll(filepath.Join(mirror, "toy"), 0o755)
	os.WriteFile(filepath.Join(mirror, "toy", "a.bin"), []byte("not the release"), 0o644)
	os.WriteFile(filepath.Join(mirror, "toy", "b.bin"), []byte("scaling laws"), 0o644)
	dir := t.TempDir()
	if err := FetchSource(context.Background(), src, dir, FetchOptions{Mirror: mirror, Log: io.Discard}); !errors.Is(err, ErrChecksum) {
		t.Fatalf("error %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestFetchUnknownAndManual(t *testing.T) {
	if err := Fetch(context.Background(), "cifar11", t.TempDir(), FetchOptions{}); err == nil || !strings.Contains(err.Error(), "cifar10") {
		t.Errorf("unknown dataset: %v", err)
	}
	if err := Fetch(context.Background(), "imagenet", t.TempDir(), FetchOptions{}); err == nil || !strings.Contains(err.Error(), "registration") {
		t.Errorf("imagenet: %v", err)
	}
}
