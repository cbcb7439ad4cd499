// Package sim replays job traces through batch-scheduling policies and reports wait time, bounded
// slowdown and utilization, so that a policy can be compared with the FCFS and EASY baselines on real
// workloads (FEATURES §8.6, TARGETS "hpc").
//
// Most users call Load (an SWF trace, optionally gzipped) and then Run with a Config, usually from
// ConfigByName ("fcfs", "easy", "default", ...):
//
//	w, _ := sim.Load("KTH-SP2-1996-2.1-cln.swf.gz", sim.LoadOptions{})
//	cfg, _ := sim.ConfigByName("default")
//	res, _ := sim.Run(w, cfg)
//	fmt.Println(res.MeanBSLD)
//
// "fcfs", "easy" and "sjf" are fast processor-count reference policies. "default" replays the trace
// through the production scheduler (package hpc, Config.Scheduler) with its default configuration;
// "scheduler-easy" configures that scheduler as EASY and reproduces "easy" job for job, which checks
// the scheduler's backfilling end to end. Sites with latencies between them (Config.Sites, SplitEven)
// measure what splitting a machine across providers costs.
//
// The model is the standard one of the scheduling literature (Mu'alem and Feitelson, "Utilization,
// predictability, workloads, and user runtime estimates in scheduling the IBM SP2 with backfilling",
// IEEE TPDS 12(6), 2001): a machine of P identical processors, jobs in submit order, each job's run time
// the trace's run time (field 4), its runtime estimate the user's requested time (field 9), and its
// processors the allocated count (field 5) or the requested count (field 8) when missing. Events at
// equal times are processed as: every completion, then every arrival, then one scheduling pass.
//
// Estimates: a missing estimate (-1 or 0) is replaced by the run time; an estimate below the run time
// is raised to the run time (EstimateRaise, the default: the job ran that long on the real machine, so
// the replay runs it that long too and a reservation never relies on a job ending before it does). The
// alternative EstimateKill truncates the run time to the estimate, as a scheduler that kills jobs at
// their limit would.
//
// Bounded slowdown uses a 10 s floor: max(1, (wait+run)/max(run, 10)).
//
// Everything is integer arithmetic except the averages in Result; a run is deterministic.
package sim
