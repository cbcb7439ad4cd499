package swf

// Job is one line of a trace: the 18 SWF fields in order. Times are in seconds; -1 means unknown.
type Job struct {
	ID             int64 // 1: job number
	Submit         int64 // 2: submit time, seconds from the trace start
	Wait           int64 // 3: wait time in the original system
	RunTime        int64 // 4: wall-clock run time
	AllocProcs     int64 // 5: number of allocated processors
	AvgCPU         int64 // 6: average CPU time used (integer part)
	UsedMemory     int64 // 7: used memory, KB per processor
	ReqProcs       int64 // 8: requested number of processors
	ReqTime        int64 // 9: requested time (the user's runtime estimate)
	ReqMemory      int64 // 10: requested memory, KB per processor
	Status         int64 // 11: 1 completed, 0 failed, 5 cancelled, ...
	UserID         int64 // 12
	GroupID        int64 // 13
	Executable     int64 // 14: application number
	Queue          int64 // 15: queue number
	Partition      int64 // 16: partition number
	PrecedingJob   int64 // 17
	ThinkTimeAfter int64 // 18: think time from the preceding job
}

// Procs returns the processors the job occupies: allocated when known, else requested, else 0.
func (j Job) Procs() int64 {
	if j.AllocProcs > 0 {
		return j.AllocProcs
	}
	if j.ReqProcs > 0 {
		return j.ReqProcs
	}
	return 0
}

// fields returns pointers to the 18 fields in SWF order.
func (j *Job) fields() [NumFields]*int64 {
	return [NumFields]*int64{&j.ID, &j.Submit, &j.Wait, &j.RunTime, &j.AllocProcs, &j.AvgCPU,
		&j.UsedMemory, &j.ReqProcs, &j.ReqTime, &j.ReqMemory, &j.Status, &j.UserID, &j.GroupID,
		&j.Executable, &j.Queue, &j.Partition, &j.PrecedingJob, &j.ThinkTimeAfter}
}
