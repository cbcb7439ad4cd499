// Package hpc is VirtEngine's decentralized supercomputer (FEATURES §8): providers register clusters
// of nodes, each node with its own Ed25519 key; customers with an identity score ≥ 50 submit jobs;
// a deterministic scheduler places them; nodes heartbeat to their cluster controller; usage becomes
// signed records for package settlement and rewards for node operators.
//
// What most users need:
//
//   - Scheduler (NewScheduler(DefaultConfig())): AddCluster, AddNode (a provider-signed
//     NodeRegistration), AddTenant (shares and Quota), Submit a JobSpec, then Schedule(now) at each
//     block or tick. Each Decision explains itself (why this cluster, why backfilled, why
//     preempted); Explain(job) says why a job waits. Multifactor priority (age, requested time,
//     partition, fair share against quotas, QoS), EASY backfilling with node reservations, QoS
//     preemption, per-tenant quotas, and placement on one cluster or a group of clusters whose
//     mutual latency is ≤ 50 ms. Time is passed in; integers only; no map order: the node runs it
//     in consensus. Snapshot and Restore persist it; ApplyChange and ObserveHeartbeat feed it the
//     controllers' liveness changes and the node-to-node latencies agents measure (median over the
//     node pairs of two clusters; a node far from most of its cluster-mates is never grouped).
//   - Registry: a controller's view of its nodes: registrations, signed heartbeats (rising sequence,
//     capacity, health, measured latency), stale/offline/deregistered timers. Package hpc/agent puts
//     it behind DTLS; `virtengine hpc controller` and `virtengine hpc agent` run it.
//   - Library: signed and approved workload templates that render SLURM #SBATCH scripts.
//   - Scheduler.MeasureJob, JobUsage.Record, UsageRecord.SignUsage: usage for settlement;
//     Contributions and Rewards: operator rewards by work and uptime.
//   - Package hpc/sim replays Standard Workload Format traces (internal/swf) through FCFS, EASY and this
//     scheduler; its numbers are in the package's tests and benchmarks.
//
// Errors are sentinels (ErrInvalid, ErrQuota, ErrIdentity, ErrReplay, ...) and typed errors
// (TransitionError, HeartbeatError) that wrap them; test them with errors.Is and errors.As.
package hpc
