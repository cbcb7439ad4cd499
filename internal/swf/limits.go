package swf

// Limits of the parser. They bound memory on hostile input; the largest archive traces have a few
// million jobs and lines under 200 bytes.
const (
	// NumFields is the number of fields of a job line (SWF §"The Data Fields").
	NumFields = 18
	// MaxLineBytes bounds one line (header comments included).
	MaxLineBytes = 64 << 10
	// MaxJobs bounds the number of jobs read from one trace.
	MaxJobs = 50_000_000
)
