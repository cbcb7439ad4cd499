package biometrics

import (
	"os"
	"sync"
	"testing"

	"github.com/virtengine/sdk/internal/assets"
)

var (
	engOnce sync.Once
	eng     *Engine
	engErr  error
)

// engine opens one Engine for the package's tests.
func engine(t testing.TB) *Engine {
	t.Helper()
	engOnce.Do(func() { eng, engErr = Open(Config{}) })
	if engErr != nil {
		t.Fatal(engErr)
	}
	return eng
}

func testdata(t testing.TB, rel string) []byte {
	t.Helper()
	p, err := assets.TestdataPath(rel)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func face(t testing.TB, name string) []byte { return testdata(t, "faces/public_domain/"+name) }

func TestMain(m *testing.M) {
	code := m.Run()
	if eng != nil {
		eng.Close()
	}
	os.Exit(code)
}
