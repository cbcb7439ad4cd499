package swf

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/virtengine/sdk/internal/assets"
)

const kthHead = `; Version: 2.2
; Computer: IBM SP2
;
   15   599850 192180   3477    4     -1    -1    4  53940    -1  1  12  12  -1 -1 -1 -1 -1
   16   600022  11940   2488   25     -1    -1   25   3600    -1  1  13  13  -1 -1 -1 -1 -1
`

func TestRead(t *testing.T) {
	jobs, err := Read(strings.NewReader(kthHead), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0] != (Job{ID: 15, Submit: 599850, Wait: 192180, Runtime: 3477, Procs: 4, ReqProcs: 4, ReqTime: 53940, ReqMemKB: -1, Status: 1, User: 12}) {
		t.Fatalf("%+v", jobs)
	}
	if jobs[1].Cores() != 25 {
		t.Fatal(jobs[1].Cores())
	}
}

func TestReadRejects(t *testing.T) {
	for _, bad := range []string{"1 2 3", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 x", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 -5",
		strings.Repeat("1 ", 3000)} {
		if _, err := Read(strings.NewReader(bad), 0); !errors.Is(err, ErrSyntax) {
			t.Errorf("%.40q: %v", bad, err)
		}
	}
}

// The real KTH trace: 27,992 jobs on a 100-processor machine.
func TestKTHTrace(t *testing.T) {
	p, err := assets.TestdataPath("hpc/KTH-SP2-1996-2.1-cln.swf.gz")
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := ReadFile(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 27992 {
		t.Fatalf("%d jobs, want 27992", len(jobs))
	}
	for _, j := range jobs {
		if j.Cores() < 1 || j.Cores() > 100 {
			t.Fatalf("job %d asks for %d cores", j.ID, j.Cores())
		}
	}
}

func FuzzParseLine(f *testing.F) {
	seeds := strings.Split(strings.TrimSpace(kthHead), "\n")
	seeds = append(seeds, "1 0 0 0 1 0.5 -1 1 60 -1 1 1 1 -1 -1 -1 -1 -1", "")
	for _, s := range seeds {
		f.Add(s)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, line string) {
		j, err := ParseLine(line)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// Round trip through the fields the reader keeps.
		re := fmt.Sprintf("%d %d %d %d %d -1 -1 %d %d %d %d %d -1 -1 -1 -1 -1 -1", j.ID, j.Submit, j.Wait, j.Runtime, j.Procs, j.ReqProcs, j.ReqTime, j.ReqMemKB, j.Status, j.User)
		if j2, err := ParseLine(re); err != nil || j2 != j {
			t.Fatalf("round trip: %v %+v %+v", err, j, j2)
		}
	})
}
