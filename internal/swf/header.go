package swf

import (
	"strconv"
	"strings"
)

// Header holds the header comments of a trace (lines "; Key: value"). Known numeric keys are parsed;
// every key is kept, in order, in Fields.
type Header struct {
	MaxProcs      int64 // "MaxProcs": processors of the machine, -1 when absent
	MaxNodes      int64 // "MaxNodes": -1 when absent
	MaxJobs       int64 // "MaxJobs": -1 when absent
	UnixStartTime int64 // "UnixStartTime": -1 when absent
	Fields        []HeaderField
}

// HeaderField is one "; Key: value" comment.
type HeaderField struct {
	Key, Value string
}

func newHeader() Header { return Header{MaxProcs: -1, MaxNodes: -1, MaxJobs: -1, UnixStartTime: -1} }

// Get returns the value of the first header field named key.
func (h *Header) Get(key string) (string, bool) {
	for _, f := range h.Fields {
		if strings.EqualFold(f.Key, key) {
			return f.Value, true
		}
	}
	return "", false
}

// addComment records one comment line (without its ';').
func (h *Header) addComment(text string) {
	key, value, ok := strings.Cut(text, ":")
	if !ok {
		return
	}
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \t") {
		return // a free-text continuation line such as ";   job<=14 (14 jobs removed)"
	}
	value = strings.TrimSpace(value)
	h.Fields = append(h.Fields, HeaderField{Key: key, Value: value})
	n, ok := leadingInt(value)
	if !ok {
		return
	}
	switch strings.ToLower(key) {
	case "maxprocs":
		h.MaxProcs = n
	case "maxnodes":
		h.MaxNodes = n
	case "maxjobs":
		h.MaxJobs = n
	case "unixstarttime":
		h.UnixStartTime = n
	}
}

// leadingInt parses the integer at the start of s, as in "338 (batch partition; 512 total)".
func leadingInt(s string) (int64, bool) {
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || end == 0 && s[end] == '-') {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 10, 64)
	return n, err == nil
}
