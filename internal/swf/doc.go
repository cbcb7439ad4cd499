// Package swf reads job traces in the Standard Workload Format (SWF) of the Parallel Workloads Archive
// (Feitelson et al., "Experience with using the Parallel Workloads Archive", JPDC 74(10), 2014; format
// at https://www.cs.huji.ac.il/labs/parallel/workload/swf.html).
//
// Most users call Open (which transparently gunzips *.gz) or Parse on an io.Reader and get a Trace with
// its Header (MaxProcs, MaxNodes, ...) and its Jobs in file order. Missing values are -1, as in the
// format. Malformed input is rejected with a *SyntaxError that wraps ErrSyntax; the parser never panics.
package swf
