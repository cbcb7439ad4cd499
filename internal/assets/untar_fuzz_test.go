package assets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func tarOf(t testing.TB, entries ...tar.Header) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range entries {
		body := []byte("content of " + h.Name)
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write(body)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzUntar: the npm tarball is unpacked before any file in it is checked against the manifest, so
// its entry names are untrusted. Whatever the tar stream (gzipped by the harness, so mutations reach
// the tar headers), untar writes only regular files, only inside its directory.
func FuzzUntar(f *testing.F) {
	reg := func(name string) tar.Header { return tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644} }
	for _, s := range [][]byte{
		tarOf(f, reg("package/package.json"), reg("package/dist/model.json"), reg("package/dist/group1-shard1of1.bin")),
		tarOf(f, reg("../evil")),
		tarOf(f, reg("/abs/evil")),
		tarOf(f, reg("package/../../evil")),
		tarOf(f, tar.Header{Name: "package/link", Typeflag: tar.TypeSymlink, Linkname: "/etc"}, reg("package/link/x")),
		tarOf(f, tar.Header{Name: "package/dir/", Typeflag: tar.TypeDir, Mode: 0o755}, reg("package/dir/x"), reg("package/dir")),
		tarOf(f, reg("."), reg("package/..evil"), reg("..")),
		{},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tarball []byte) {
		root := t.TempDir()
		tgz := filepath.Join(root, "pkg.tgz")
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(tarball)
		zw.Close()
		if err := os.WriteFile(tgz, gz.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, "out")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		_ = untar(tgz, dir) // an error is fine; what it wrote before the error is checked below
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch {
			case p == root || p == tgz || p == dir:
				return nil
			case !strings.HasPrefix(p, dir+string(filepath.Separator)):
				t.Fatalf("untar wrote %s outside %s", p, dir)
			case d.Type()&fs.ModeSymlink != 0:
				t.Fatalf("untar made a symlink %s", p)
			case !d.IsDir() && !d.Type().IsRegular():
				t.Fatalf("untar made a special file %s (%v)", p, d.Type())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
