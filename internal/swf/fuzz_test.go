package swf

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"os"
	"reflect"
	"testing"

	"github.com/virtengine/sdk/internal/assets"
)

// seeds returns the first lines of the archive traces (real header and job lines) and the sample.
func seeds(t testing.TB) [][]byte {
	out := [][]byte{[]byte(sample), []byte(""), []byte("; x\n"), []byte("1 2 3\n")}
	for _, name := range []string{"KTH-SP2-1996-2.1-cln.swf.gz", "CTC-SP2-1996-3.1-cln.swf.gz"} {
		p, err := assets.TestdataPath("hpc/" + name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(zr)
		var buf bytes.Buffer
		for i := 0; i < 40 && sc.Scan(); i++ {
			buf.Write(sc.Bytes())
			buf.WriteByte('\n')
		}
		f.Close()
		out = append(out, buf.Bytes())
	}
	return out
}

func FuzzParse(f *testing.F) {
	s := seeds(f)
	if len(s) < 6 {
		f.Fatal("seed corpus is missing the archive traces")
	}
	for _, b := range s {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, tr); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&buf)
		if err != nil {
			t.Fatalf("re-parse of written trace: %v", err)
		}
		if !reflect.DeepEqual(tr.Jobs, again.Jobs) || !reflect.DeepEqual(tr.Header, again.Header) {
			t.Fatalf("round trip changed the trace")
		}
	})
}
