package sim

const (
	// BSLDFloorSeconds is the runtime floor of bounded slowdown (Feitelson et al., "Theory and
	// practice in parallel job scheduling", JSSPP 1997: 10 s is the customary threshold).
	BSLDFloorSeconds = 10
	// MaxSites bounds the number of sites a machine may be split into.
	MaxSites = 1024
	// LatencyGroupMillis is the mutual latency under which sites form one allocation group without a
	// penalty (FEATURES §8.3: a mini-supercomputer assembled from nearby nodes).
	LatencyGroupMillis = 50
)
