package swf

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Trace is a parsed SWF file.
type Trace struct {
	Header Header
	Jobs   []Job
}

// Open reads the trace at path; a name ending in ".gz" (or gzip content) is decompressed.
func Open(path string) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("swf: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("swf: %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	t, err := Parse(r)
	if err != nil {
		return nil, fmt.Errorf("swf: %s: %w", path, err)
	}
	return t, nil
}

// Parse reads a whole SWF trace. Header comments may appear anywhere; blank lines are ignored.
func Parse(r io.Reader) (*Trace, error) {
	t := &Trace{Header: newHeader()}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLineBytes)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		if text[0] == ';' {
			t.Header.addComment(string(text[1:]))
			continue
		}
		if len(t.Jobs) >= MaxJobs {
			return nil, &SyntaxError{Line: line, Reason: fmt.Sprintf("more than %d jobs", MaxJobs), Err: ErrTooLarge}
		}
		j, err := ParseJob(string(text))
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				se.Line = line
			}
			return nil, err
		}
		t.Jobs = append(t.Jobs, j)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &SyntaxError{Line: line + 1, Reason: "line too long", Err: ErrTooLarge}
		}
		return nil, fmt.Errorf("swf: read: %w", err)
	}
	return t, nil
}

// ParseJob parses one job line of exactly 18 whitespace-separated numbers. Fractional values (some
// archive traces write average CPU time as "12.5") keep their integer part.
func ParseJob(line string) (Job, error) {
	var j Job
	f := strings.Fields(line)
	if len(f) != NumFields {
		return j, &SyntaxError{Reason: fmt.Sprintf("%d fields, want %d", len(f), NumFields), Err: ErrSyntax}
	}
	for i, p := range j.fields() {
		n, err := parseNumber(f[i])
		if err != nil {
			return Job{}, &SyntaxError{Field: i + 1, Reason: fmt.Sprintf("%q is not a number", f[i]), Err: ErrSyntax}
		}
		*p = n
	}
	return j, nil
}

func parseNumber(s string) (int64, error) {
	intPart, frac, hasDot := strings.Cut(s, ".")
	if hasDot {
		if frac == "" || strings.Trim(frac, "0123456789") != "" {
			return 0, strconv.ErrSyntax
		}
		if intPart == "" || intPart == "-" {
			return 0, nil
		}
	}
	return strconv.ParseInt(intPart, 10, 64)
}

// Write writes t in SWF: the header fields as "; Key: value" comments, then one line per job.
// Parse(Write(t)) returns the same header fields and jobs.
func Write(w io.Writer, t *Trace) error {
	bw := bufio.NewWriter(w)
	for _, f := range t.Header.Fields {
		fmt.Fprintf(bw, "; %s: %s\n", f.Key, f.Value)
	}
	for i := range t.Jobs {
		for k, p := range t.Jobs[i].fields() {
			if k > 0 {
				bw.WriteByte(' ')
			}
			bw.WriteString(strconv.FormatInt(*p, 10))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
