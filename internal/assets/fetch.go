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

// FetchError lists every file that no source could provide, each with what was tried.
type FetchError struct {
	Dir    string  // the data directory being filled
	Failed []Entry // the files that are still missing
	Errs   []error // one per file in Failed, saying what each source answered and what to do
}

func (e *FetchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "assets: %d file(s) could not be fetched into %s:", len(e.Failed), e.Dir)
	for _, err := range e.Errs {
		b.WriteString("\n  ")
		b.WriteString(err.Error())
	}
	b.WriteString("\nFix: ")
	b.WriteString(e.Fix())
	return b.String()
}

// Fix says what to run to get the missing files.
func (e *FetchError) Fix() string {
	if e.SharedOnly() {
		return fmt.Sprintf("some of these files are published only in the project's shared data: get a copy of it (the folder `shared` beside the repository) and run `%s`", SharedFetchCommand(e.Dir))
	}
	return fmt.Sprintf("run `%s` where their sources are reachable, or get a copy of the project's shared data (the folder `shared` beside the repository) and run `%s`", FetchCommand(e.Dir), SharedFetchCommand(e.Dir))
}

// Unwrap lets errors.Is and errors.As see each file's error (ErrMissing, ErrChecksum, *FileError).
func (e *FetchError) Unwrap() []error { return e.Errs }

// OnlyTests reports whether every failed file is read by tests only (see Entry.Required), so that the
// CLI and the demo have what they need.
func (e *FetchError) OnlyTests() bool {
	for _, f := range e.Failed {
		if f.Required() {
			return false
		}
	}
	return true
}

// SharedOnly reports whether some failed file is published nowhere but in the shared data.
func (e *FetchError) SharedOnly() bool {
	for _, f := range e.Failed {
		if f.SharedOnly != "" {
			return true
		}
	}
	return false
}

// FetchAll fetches every file that is missing or corrupt. It goes on past a file it cannot get and
// returns a *FetchError naming all of them.
func (f *Fetcher) FetchAll(ctx context.Context, m *Manifest) error {
	st := &fetchState{npm: map[string]string{}, deb: map[string]string{}, deadHost: map[string]error{}}
	defer st.cleanup()
	var fe *FetchError
	for _, e := range m.Files {
		if VerifyFile(f.Dir, e) == nil {
			continue
		}
		if err := f.fetch(ctx, e, st); err != nil {
			if fe == nil {
				fe = &FetchError{Dir: f.Dir}
			}
			fe.Failed = append(fe.Failed, e)
			fe.Errs = append(fe.Errs, err)
			f.logf("FAIL %s", e.Name)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if fe != nil {
		return fe
	}
	return nil
}

// fetchState caches unpacked packages across files and remembers hosts that could not be reached.
type fetchState struct {
	npm      map[string]string // npm spec -> unpacked dir
	deb      map[string]string // deb spec -> downloaded .deb file
	tmp      []string
	deadHost map[string]error
}

func (st *fetchState) cleanup() {
	for _, d := range st.tmp {
		os.RemoveAll(d)
	}
}

// fetch tries, in order, the shared mirror, the npm package, the Debian package and the upstream URL,
// and returns an error wrapping ErrMissing (and each source's error) that says what to do.
func (f *Fetcher) fetch(ctx context.Context, e Entry, st *fetchState) error {
	dst := filepath.Join(f.Dir, filepath.FromSlash(e.Name))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	var tried []error
	try := func(what string, open func() (io.ReadCloser, error)) bool {
		err := f.install(dst, e, open)
		if err == nil {
			f.logf("ok   %s (from %s)", e.Name, what)
			return true
		}
		tried = append(tried, fmt.Errorf("%s: %w", what, err))
		return false
	}
	if f.Shared != "" {
		p := filepath.Join(f.Shared, filepath.FromSlash(e.Name))
		if _, err := os.Stat(p); err == nil {
			if try("shared mirror "+f.Shared, func() (io.ReadCloser, error) { return os.Open(p) }) {
				return nil
			}
		} else {
			tried = append(tried, fmt.Errorf("shared mirror %s: not there", f.Shared))
		}
	}
	if e.NPM != "" {
		dir, ok := st.npm[e.NPM]
		var err error
		if !ok {
			if dir, err = npmUnpack(ctx, e.NPM); err == nil {
				st.npm[e.NPM], st.tmp = dir, append(st.tmp, dir)
			}
		}
		if err != nil {
			tried = append(tried, fmt.Errorf("npm %s: %w", e.NPM, err))
		} else if try("npm "+e.NPM, func() (io.ReadCloser, error) { return os.Open(filepath.Join(dir, filepath.FromSlash(e.NPMPath))) }) {
			return nil
		}
	}
	if e.Deb != "" {
		deb, ok := st.deb[e.Deb]
		var err error
		if !ok {
			if deb, err = debDownload(ctx, e.Deb); err == nil {
				st.deb[e.Deb], st.tmp = deb, append(st.tmp, filepath.Dir(deb))
			}
		}
		if err != nil {
			tried = append(tried, fmt.Errorf("Debian package %s: %w", e.Deb, err))
		} else if try("Debian package "+e.Deb, func() (io.ReadCloser, error) { return debMember(ctx, deb, e.DebPath) }) {
			return nil
		}
	}
	if e.Upstream != "" {
		if try(e.Upstream, func() (io.ReadCloser, error) { return f.get(ctx, e.Upstream, st) }) {
			return nil
		}
	}
	return f.missing(e, tried)
}

// missing builds the error for a file that no source gave: what each source answered, wrapping
// ErrMissing and each of those errors. FetchError.Fix says what to do.
func (f *Fetcher) missing(e Entry, tried []error) error {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.SharedOnly != "" {
		fmt.Fprintf(&b, ": published only in the project's shared data (%s)", e.SharedOnly)
	}
	if len(tried) == 0 {
		b.WriteString(": no shared mirror was given")
	}
	for i, err := range tried {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(err.Error())
	}
	return fmt.Errorf("%w: %w", ErrMissing, joinWrapped(b.String(), tried))
}

// joinWrapped returns an error with text msg that wraps every error of errs.
func joinWrapped(msg string, errs []error) error {
	return &wrapped{msg: msg, errs: errs}
}

type wrapped struct {
	msg  string
	errs []error
}

func (w *wrapped) Error() string   { return w.msg }
func (w *wrapped) Unwrap() []error { return w.errs }

// get opens an HTTP GET of url, refusing at once a host that could not be reached before.
func (f *Fetcher) get(ctx context.Context, url string, st *fetchState) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if st.deadHost[req.URL.Host] != nil {
		return nil, fmt.Errorf("%s could not be reached (see the first file fetched from it)", req.URL.Host)
	}
	c := f.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Minute}
	}
	resp, err := c.Do(req)
	if err != nil {
		st.deadHost[req.URL.Host] = err
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return resp.Body, nil
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
		return &FileError{Name: e.Name, Path: dst, Err: ErrChecksum, Got: got, Want: e.SHA256, Fetched: true}
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

// debDownload runs `apt-get download NAME=VERSION` in a temporary folder and returns the .deb's path.
func debDownload(ctx context.Context, spec string) (string, error) {
	dir, err := os.MkdirTemp("", "virtengine-deb-")
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "apt-get", "download", "-q", spec)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("apt-get download %s: %w: %s", spec, err, strings.TrimSpace(lastLine(string(out))))
	}
	debs, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	if len(debs) != 1 {
		os.RemoveAll(dir)
		return "", fmt.Errorf("apt-get download %s left %d .deb files", spec, len(debs))
	}
	return debs[0], nil
}

// debMember opens the file at path inside the .deb (through `dpkg-deb --fsys-tarfile`).
func debMember(ctx context.Context, deb, path string) (io.ReadCloser, error) {
	cmd := exec.CommandContext(ctx, "dpkg-deb", "--fsys-tarfile", deb)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dpkg-deb: %w", err)
	}
	tr := tar.NewReader(out)
	want := strings.TrimPrefix(path, "/")
	for {
		h, err := tr.Next()
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%s has no %s", filepath.Base(deb), path)
			}
			return nil, err
		}
		if h.Typeflag == tar.TypeReg && strings.TrimPrefix(h.Name, "./") == want {
			return &cmdReader{r: io.LimitReader(tr, h.Size), cmd: cmd}, nil
		}
	}
}

// cmdReader reads a member of a running command's tar stream and stops the command on Close.
type cmdReader struct {
	r   io.Reader
	cmd *exec.Cmd
}

func (c *cmdReader) Read(p []byte) (int, error) { return c.r.Read(p) }

func (c *cmdReader) Close() error {
	c.cmd.Process.Kill()
	c.cmd.Wait()
	return nil
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
