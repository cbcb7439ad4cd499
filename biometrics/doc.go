// Package biometrics turns a selfie, a short selfie video and a photo of an identity document into
// evidence for scoring: is there a live person, is it the person on the document, what does the
// document's machine-readable zone say, and is the capture good enough. It runs real models through
// OpenCV 4.6 (gocv) and is the only package of the SDK that uses cgo.
//
// Most users open an Engine once and call its methods:
//
//	eng, err := biometrics.Open(biometrics.Config{}) // models from the data directory, sha256-checked
//	defer eng.Close()
//	m, err := eng.MatchDocument(selfieJPEG, documentJPEG)          // m.Decision: match, borderline, reject
//	l, err := eng.Liveness("selfie", selfieJPEG)                   // l.Live, l.ScoreBP
//	q, err := eng.Quality("selfie", selfieJPEG, biometrics.Selfie) // reason codes for the capturing app
//	z, err := eng.ReadMRZ("passport", documentJPEG)                // parsed zone with check digits
//	f, err := eng.Evidence(biometrics.EvidenceInput{...})          // features.Features for scoring
//
// Validators use Evidence: it returns integers only and takes the block time as its clock. Its
// consensus fields are coarse levels (face match: match, borderline, reject; liveness: live or not;
// document validity and consistency from the characters read), because the networks' floats differ
// slightly from one CPU to another (OpenCV picks AVX-512, AVX2 or SSE kernels at run time): the
// int8 embedding and the fine measurements beside the levels are not the same bytes on every
// machine. Package features documents what validators can agree on and the residual risk at the
// thresholds; README.md and RESULTS.md give the measurements.
//
// Active liveness (ActiveLiveness, `virtengine bio liveness --challenge`) is tested only on head
// turns synthesised by warping still photos: README.md says what that shows and what it does not.
//
// The face pipeline is: detect with YuNet (5 landmarks; outputs decoded in Go, see detect.go), taking
// a selfie's subject or a document's portrait by the rules of select.go and refining its landmarks on
// a crop (Detector.Subject) → align
// with a similarity transform of the landmarks onto dlib's 150×150 chip template → embed with dlib's
// ResNet (128-d; converted from TensorFlow.js to ONNX by package facerec on first use) → compare by
// Euclidean distance with calibrated thresholds (match.go). Passive liveness is an ensemble of two
// MiniFASNet anti-spoofing models; active liveness checks head motion over frames (active.go).
// Machine-readable zones are located by morphology and read by Tesseract (mrzocr.go), then parsed by
// package mrz (pure Go); PDF417 barcodes are decoded by zxing-cpp (package pdf417) and parsed by package
// aamva (pure Go). Scoring takes package features (pure Go): integer basis points and reason codes.
//
// Every model file is pinned by sha256 (ModelHash). Handles (Mat, Net, Tesseract client) are closed on
// every path; Engine.Close releases the models. One call uses Config.Threads threads (default 1)
// inside OpenCV and Tesseract; run calls concurrently for throughput.
package biometrics
