// Package swf reads the job lines of a Standard Workload Format trace (Parallel Workloads Archive,
// https://www.cs.huji.ac.il/labs/parallel/workload/swf.html): 18 whitespace-separated integer
// fields per job, comment lines starting with ';'. The market's bid engine tests turn real jobs into
// orders with it. (hpc has its own full reader; market may not import hpc.)
package swf

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// NumFields is the number of fields of an SWF job line.
const NumFields = 18

// MaxLineLen bounds a line; real traces have lines under 200 bytes.
const MaxLineLen = 4096

// ErrSyntax is wrapped by every parse error.
var ErrSyntax = errors.New("swf: syntax error")

// Job holds the fields the market uses; -1 means unknown, as in the format.
type Job struct {
	ID       int64 // field 1
	Submit   int64 // field 2: seconds since the trace's start
	Wait     int64 // field 3
	Runtime  int64 // field 4
	Procs    int64 // field 5: allocated processors
	ReqProcs int64 // field 8
	ReqTime  int64 // field 9: the user's runtime estimate
	ReqMemKB int64 // field 10: requested memory per processor, KB
	Status   int64 // field 11
	User     int64 // field 12
}

// Cores is the processors the job asked for, falling back to what it was given.
func (j Job) Cores() int64 {
	if j.ReqProcs > 0 {
		return j.ReqProcs
	}
	return j.Procs
}

// ParseLine parses one job line.
func ParseLine(line string) (Job, error) {
	if len(line) > MaxLineLen {
		return Job{}, fmt.Errorf("%w: line of %d bytes", ErrSyntax, len(line))
	}
	f := strings.Fields(line)
	if len(f) != NumFields {
		return Job{}, fmt.Errorf("%w: %d fields, want %d", ErrSyntax, len(f), NumFields)
	}
	var v [NumFields]int64
	for i, s := range f {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			// Some archives write fractional seconds in field 6 (average CPU time); only integers matter here.
			if fl, ferr := strconv.ParseFloat(s, 64); ferr == nil && i == 5 && fl >= -1 && fl < 1e15 {
				n = int64(fl)
			} else {
				return Job{}, fmt.Errorf("%w: field %d %q is not an integer", ErrSyntax, i+1, s)
			}
		}
		if n < -1 {
			return Job{}, fmt.Errorf("%w: field %d is %d (only -1 marks unknown)", ErrSyntax, i+1, n)
		}
		v[i] = n
	}
	return Job{ID: v[0], Submit: v[1], Wait: v[2], Runtime: v[3], Procs: v[4], ReqProcs: v[7], ReqTime: v[8],
		ReqMemKB: v[9], Status: v[10], User: v[11]}, nil
}

// Read reads up to limit jobs (limit ≤ 0: all) from r, skipping comments and blank lines.
func Read(r io.Reader, limit int) ([]Job, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), MaxLineLen+1)
	var out []Job
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == ';' {
			continue
		}
		j, err := ParseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, j)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	return out, nil
}

// ReadFile reads a trace, gunzipping names ending in .gz.
func ReadFile(path string, limit int) ([]Job, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer gz.Close()
		r = gz
	}
	return Read(r, limit)
}
