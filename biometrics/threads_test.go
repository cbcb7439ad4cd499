package biometrics

import (
	"bytes"
	"testing"
)

// TestThreadsSameResult: an engine whose calls use 2 threads sets OpenCV's thread count and gives
// the same int8 descriptor and the same MRZ as the default one thread (validators may run either);
// a different photo gives a different descriptor (the reject twin).
func TestThreadsSameResult(t *testing.T) {
	e := engine(t)
	one, err := e.EmbedImage("obama.jpg", face(t, "obama.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	z1, err := e.ReadMRZ("td3", testdata(t, "documents/mrz/passport-td3.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	e2, err := Open(Config{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		e2.Close()
		setOpenCVThreads(e.threads) // the setting is process-wide: restore the shared engine's
	}()
	if got := openCVThreads(); got != 2 {
		t.Fatalf("OpenCV threads %d, want 2", got)
	}
	two, err := e2.EmbedImage("obama.jpg", face(t, "obama.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(int8Bytes(one.Quantized), int8Bytes(two.Quantized)) {
		t.Error("the descriptor differs between 1 and 2 threads")
	}
	z2, err := e2.ReadMRZ("td3", testdata(t, "documents/mrz/passport-td3.jpg"))
	if err != nil || z2.Lines[0] != z1.Lines[0] || z2.Lines[1] != z1.Lines[1] {
		t.Errorf("MRZ with 2 threads: %v %v, with 1: %v", z2, err, z1.Lines)
	}
	other, err := e2.EmbedImage("obama2.jpg", face(t, "obama2.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(int8Bytes(one.Quantized), int8Bytes(other.Quantized)) {
		t.Error("another photo gives the same descriptor")
	}
}

func int8Bytes(v []int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}
