package swf

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/virtengine/sdk/internal/assets"
)

const sample = `; Version: 2.2
; Computer: IBM SP2
; MaxNodes: 338 (batch partition; 512 total)
; MaxProcs: 338
; Note: THIS IS A CLEANED VERSION OF THE LOG!
;       The filter used to produce it was
;         job<=14 (14 jobs removed)

   15   599850 192180   3477    4     -1    -1    4  53940    -1  1  12  12  -1 -1 -1 -1 -1
   16   600022  11940   2488   -1  12.75    -1   25   3600    -1  1  13  13  -1 -1 -1 -1 -1
`

func TestParseSample(t *testing.T) {
	tr, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Header.MaxProcs != 338 || tr.Header.MaxNodes != 338 || tr.Header.UnixStartTime != -1 {
		t.Errorf("header %+v", tr.Header)
	}
	if v, ok := tr.Header.Get("computer"); !ok || v != "IBM SP2" {
		t.Errorf("Computer = %q %v", v, ok)
	}
	if len(tr.Jobs) != 2 {
		t.Fatalf("%d jobs", len(tr.Jobs))
	}
	j := tr.Jobs[0]
	if j.ID != 15 || j.Submit != 599850 || j.Wait != 192180 || j.RunTime != 3477 || j.Procs() != 4 || j.ReqTime != 53940 || j.UserID != 12 || j.ThinkTimeAfter != -1 {
		t.Errorf("job %+v", j)
	}
	if tr.Jobs[1].Procs() != 25 || tr.Jobs[1].AvgCPU != 12 {
		t.Errorf("job 2: procs %d (requested when allocated is missing), avg cpu %d", tr.Jobs[1].Procs(), tr.Jobs[1].AvgCPU)
	}
}

func TestParseRejects(t *testing.T) {
	good := "1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1"
	for name, line := range map[string]string{
		"17 fields":   "1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1",
		"19 fields":   good + " 7",
		"letter":      strings.Replace(good, "10", "1O", 1),
		"bad decimal": strings.Replace(good, "10", "10.x", 1),
		"empty frac":  strings.Replace(good, "10", "10.", 1),
		"overflow":    strings.Replace(good, "10", "99999999999999999999", 1),
	} {
		_, err := Parse(strings.NewReader("; MaxProcs: 4\n" + line + "\n"))
		var se *SyntaxError
		if !errors.Is(err, ErrSyntax) || !errors.As(err, &se) || se.Line != 2 {
			t.Errorf("%s: err %v, want a SyntaxError on line 2", name, err)
		}
	}
	if _, err := Parse(strings.NewReader(good + "\n")); err != nil {
		t.Errorf("good line rejected: %v", err)
	}
	long := strings.Repeat("1", MaxLineBytes+1)
	if _, err := Parse(strings.NewReader(long)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("long line: err %v, want ErrTooLarge", err)
	}
}

func TestRoundTrip(t *testing.T) {
	tr, err := Parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, tr); err != nil {
		t.Fatal(err)
	}
	again, err := Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tr, again) {
		t.Fatalf("round trip changed the trace:\n%+v\n%+v", tr, again)
	}
}

func TestOpenArchiveTraces(t *testing.T) {
	for name, want := range map[string]struct {
		jobs  int
		procs int64
	}{
		"KTH-SP2-1996-2.1-cln.swf.gz": {27992, 100},
		"CTC-SP2-1996-3.1-cln.swf.gz": {77222, 338},
	} {
		p, err := assets.TestdataPath("hpc/" + name)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Jobs) != want.jobs || tr.Header.MaxProcs != want.procs {
			t.Errorf("%s: %d jobs, MaxProcs %d; want %d, %d", name, len(tr.Jobs), tr.Header.MaxProcs, want.jobs, want.procs)
		}
	}
	if _, err := Open("/nonexistent/trace.swf"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err %v", err)
	}
}
