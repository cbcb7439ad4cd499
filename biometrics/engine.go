package biometrics

import (
	"path/filepath"
	"sync"

	"github.com/virtengine/sdk/biometrics/facerec"
	"github.com/virtengine/sdk/internal/assets"
)

// Config says where the models are. The zero value uses the data directory (assets.DataDir).
type Config struct {
	// ModelsDir is the directory holding face_detection/, face_recognition/, antispoof/, tessdata/.
	ModelsDir string
	// Threads is how many threads one call may use inside OpenCV (dnn layers) and Tesseract (LSTM);
	// 0 means 1. One thread per call wastes nothing on synchronisation and suits a validator that
	// runs calls concurrently or shares its cores; 2 lowers one call's latency on an idle
	// machine. OpenCV's setting is process-wide: the last Engine opened sets it.
	Threads int
}

// Engine holds the loaded models. Open one per process and share it: its methods are safe for
// concurrent use. Close releases every native handle.
type Engine struct {
	mu        sync.RWMutex
	closed    bool
	modelsDir string
	modelHash string
	threads   int
	det       *Detector
	emb       *Embedder
	live      *PassiveLiveness
	mrz       *MRZReader
	viz       *VIZReader // nil when the system has no Tesseract "eng" model
}

// Open verifies the model files against their pinned sha256, converts the face recognition model to
// ONNX if it is missing (facerec.EnsureONNX) and loads the networks.
func Open(cfg Config) (*Engine, error) {
	dir := cfg.ModelsDir
	if dir == "" {
		dir = filepath.Join(assets.DataDir(), "models")
	}
	// The printed-text cross-check runs when the system has Tesseract's "eng" model; its bytes then
	// join the model hash (vizModel).
	var viz *VIZReader
	vizLine := ""
	if d, line, ok := vizModel(); ok {
		if v, err := NewVIZReader(d); err == nil {
			viz, vizLine = v, line
		}
	}
	hash, err := verifyModels(dir, vizLine)
	if err != nil {
		if viz != nil {
			viz.Close()
		}
		return nil, err
	}
	threads := max(cfg.Threads, 1)
	e := &Engine{modelsDir: dir, modelHash: hash, threads: threads, viz: viz}
	setOpenCVThreads(threads)
	path := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	if e.det, err = NewDetector(path(ModelYuNet)); err != nil {
		e.Close()
		return nil, err
	}
	if e.emb, err = NewEmbedder(path(facerec.ONNXFile)); err != nil {
		e.Close()
		return nil, err
	}
	if e.live, err = NewPassiveLiveness(path(ModelSpoofV2), path(ModelSpoofV1SE)); err != nil {
		e.Close()
		return nil, err
	}
	if e.mrz, err = NewMRZReader(filepath.Dir(path(ModelMRZTessdata))); err != nil {
		e.Close()
		return nil, err
	}
	e.mrz.threads = threads
	if viz != nil {
		viz.threads = threads
	}
	return e, nil
}

// ModelHash is the hash of every model file the engine runs (see verifyModels), including the
// system's Tesseract "eng" model when the printed-text cross-check uses one; with ModelVersion it
// pins the pipeline for scoring.
func (e *Engine) ModelHash() string { return e.modelHash }

// Close releases the models. It is safe to call more than once.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	if e.det != nil {
		e.det.Close()
	}
	if e.emb != nil {
		e.emb.Close()
	}
	if e.live != nil {
		e.live.Close()
	}
	if e.mrz != nil {
		e.mrz.Close()
	}
	if e.viz != nil {
		e.viz.Close()
	}
	return nil
}

// use runs f with the engine open (read lock), or returns ErrClosed.
func (e *Engine) use(f func() error) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return ErrClosed
	}
	return f()
}
