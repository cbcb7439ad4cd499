package biometrics

// Bounds on inputs, checked before any pixel is decoded, and the pipeline's fixed sizes.
const (
	// MaxImageBytes bounds an encoded image (a 24 MP JPEG at high quality is about 12 MB).
	MaxImageBytes = 32 << 20
	// MaxImageSide and MaxImagePixels bound the decoded size so a forged header (20000×20000) cannot
	// make the decoder allocate gigabytes: 8192 px a side, 40 MP in all (about 120 MB as BGR).
	MaxImageSide   = 8192
	MaxImagePixels = 40_000_000
	// MinImageSide is the smallest image side worth running a detector on.
	MinImageSide = 32

	// DetectMaxSide is the longer side of the image given to YuNet by Detect (every face); the other
	// side keeps the aspect ratio, both rounded up to a multiple of 32 (YuNet's largest stride). 320
	// finds every test face (the smallest spans about 40 px there).
	DetectMaxSide = 320
	// SubjectDetectSide is the first, cheaper pass of Detector.Subject (a quarter of the pixels, about
	// 3 ms instead of 10 on one core): the test faces span 24–86 px there and portraits on the
	// specimen documents 25–40 px. A second pass at DetectMaxSide runs only when it finds no suitable
	// face.
	SubjectDetectSide = 160
	// RefineCropPct and RefineMaxSide: Detector.Refine looks again at a square crop of 160% of the face
	// box, given to YuNet at up to 160 px, so the face spans about 100 px of its input.
	RefineCropPct = 160
	RefineMaxSide = 160
	// DetectScoreThreshold and DetectNMSThreshold are YuNet's score (√(cls·iou)) and NMS IoU bounds.
	DetectScoreThreshold = 0.6
	DetectNMSThreshold   = 0.3
	// DetectTopK bounds the candidates kept before NMS.
	DetectTopK = 5000

	// ChipSize is the side of the aligned face given to the embedder (dlib's face chip).
	ChipSize = 150

	// LivenessInput is the side of MiniFASNet's input; LivenessThresholdBP the ensemble's live
	// probability above which a face is live.
	LivenessInput       = 80
	LivenessThresholdBP = 5000

	// MaxFrames bounds the frames of an active-liveness sequence.
	MaxFrames = 300
)
