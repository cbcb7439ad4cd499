package assets

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// SharedDir returns the local mirror of models and test data: $VIRTENGINE_SHARED, else the folder
// `shared` beside the repository that holds the current directory. It returns "" when there is none.
func SharedDir() string {
	if d := os.Getenv(EnvSharedDir); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if fi, err := os.Stat(s); err == nil && fi.IsDir() {
				return s
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Fetcher fills a data directory with the manifest's files.
type Fetcher struct {
	Dir    string    // destination data directory
	Shared string    // local mirror, may be empty
	Log    io.Writer // progress lines; nil for none
	Client *http.Client
}

func (f *Fetcher) logf(format string, a ...any) {
	if f.Log != nil {
		fmt.Fprintf(f.Log, format+"\n", a...)
	}
}

// FetchAll fetches every file that is missing or corrupt. It stops at the first file it cannot get.
func (f *Fetcher) FetchAll(ctx context.Context, m *Manifest) error {
	npmCache := map[string]string{} // npm spec -> unpacked dir
	defer func() {
		for _, d := range npmCache {
			os.RemoveAll(d)
		}
	}()
	for _, e := range m.Files {
		if VerifyFile(f.Dir, e) == nil {
			continue
		}
		if err := f.fetch(ctx, e, npmCache); err != nil {
			return fmt.Errorf("assets: fetching %s: %w", e.Name, err)
		}
	}
	return nil
}

func (f *Fetcher) fetch(ctx context.Context, e Entry, npmCache map[string]string) error {
	dst := filepath.Join(f.Dir, filepath.FromSlash(e.Name))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	var srcs []string
	if f.Shared != "" {
		p := filepath.Join(f.Shared, filepath.FromSlash(e.Name))
		if _, err := os.Stat(p); err == nil {
			if err := f.install(dst, e, func() (io.ReadCloser, error) { return os.Open(p) }); err == nil {
				f.logf("ok   %s (from %s)", e.Name, f.Shared)
				return nil
			} else {
				f.logf("warn %s: the shared copy is unusable: %v", e.Name, err)
			}
		}
		srcs = append(srcs, "shared mirror")
	}
	if e.NPM != "" {
		dir, ok := npmCache[e.NPM]
		if !ok {
			var err error
			if dir, err = npmUnpack(ctx, e.NPM); err != nil {
				return err
			}
			npmCache[e.NPM] = dir
		}
		p := filepath.Join(dir, filepath.FromSlash(e.NPMPath))
		if err := f.install(dst, e, func() (io.ReadCloser, error) { return os.Open(p) }); err != nil {
			return err
		}
		f.logf("ok   %s (from npm %s)", e.Name, e.NPM)
		return nil
	}
	if e.Upstream != "" {
		c := f.Client
		if c == nil {
			c = &http.Client{Timeout: 5 * time.Minute}
		}
		err := f.install(dst, e, func() (io.ReadCloser, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.Upstream, nil)
			if err != nil {
				return nil, err
			}
			resp, err := c.Do(req)
			if err != nil {
				return nil, err
			}
			if resp.StatusCode != http.StatusOK {
				resp.Body.Close()
				return nil, fmt.Errorf("GET %s: %s", e.Upstream, resp.Status)
			}
			return resp.Body, nil
		})
		if err != nil {
			return err
		}
		f.logf("ok   %s (from %s)", e.Name, e.Upstream)
		return nil
	}
	return fmt.Errorf("%w: no source has it (tried: %s); set %s to a folder holding %s",
		ErrMissing, strings.Join(append(srcs, "none upstream"), ", "), EnvSharedDir, e.Name)
}

// install copies from open() into dst through a temporary file, verifying sha256 before the rename.
func (f *Fetcher) install(dst string, e Entry, open func() (io.ReadCloser, error)) error {
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".fetch-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != e.SHA256 {
		return &FileError{Name: e.Name, Path: dst, Err: ErrChecksum, Got: got}
	}
	return os.Rename(tmp.Name(), dst)
}

// npmUnpack runs `npm pack SPEC` in a temporary folder and unpacks the tarball there.
func npmUnpack(ctx context.Context, spec string) (string, error) {
	dir, err := os.MkdirTemp("", "virtengine-npm-")
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", spec)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("npm pack %s: %w (is npm installed? apt-get install npm)", spec, err)
	}
	tgz := filepath.Join(dir, strings.TrimSpace(lastLine(string(out))))
	if err := untar(tgz, dir); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func untar(tgz, dir string) error {
	fh, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer fh.Close()
	gz, err := gzip.NewReader(fh)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := filepath.Clean(h.Name)
		if strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			return fmt.Errorf("npm tarball has an unsafe path %q", h.Name)
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		out, err := os.Create(p)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, io.LimitReader(tr, 1<<30)); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
	}
}
