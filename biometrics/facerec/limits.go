package facerec

// Sizes of the network and bounds on what the loader accepts.
const (
	// InputSize is the side of the square RGB input (face-api.js toBatchTensor(150)).
	InputSize = 150
	// EmbeddingDim is the length of the output descriptor.
	EmbeddingDim = 128

	maxDim    = 4096    // no tensor dimension of this network is larger
	maxTensor = 1 << 22 // elements of the largest tensor (3·3·256·256 = 589,824) with room
)

// Mean is the per-channel RGB mean subtracted before dividing by 255 (FaceRecognitionNet.ts).
var Mean = [3]float32{122.782, 117.001, 104.298}

// Scale divides the input after the mean is subtracted.
const Scale = 255
