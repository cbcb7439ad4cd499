package mrz

// Line lengths of each document format (ICAO 9303-4 §4.2, 9303-5 §4.2, 9303-6 §4.2, 9303-7 §4.2).
const (
	td1Len = 30 // TD1: 3 lines of 30
	td2Len = 36 // TD2 and MRV-B: 2 lines of 36
	td3Len = 44 // TD3 and MRV-A: 2 lines of 44

	swissDLLine1Len = 9  // Swiss driving licence: first line of 9
	swissDLLineLen  = 30 // then two lines of 30

	// MaxInputLen bounds the text Parse accepts before it looks at it (3 lines of 44 plus separators).
	MaxInputLen = 256

	// maxCorrectionCandidates bounds the substitutions tried for one field.
	maxCorrectionCandidates = 4096
)
