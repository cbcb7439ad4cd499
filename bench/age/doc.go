// Package agebench measures package envelope against age (filippo.io/age) on the same data in the
// same run. It is a separate module so that the root module's tests never depend on age.
//
//	cd bench/age && go test -run XXX -bench . -benchtime 3x          # 1 MiB and 64 MiB, headers
//	VE_BENCH_1G=1 go test -run TestReport -v -timeout 60m            # the full table with ratios, 1 GiB included
//	VE_BENCH=1 VE_BENCH_ROUNDS=15 go test -run TestReport -v         # without the 1 GiB rows, more rounds
//
// TestReport interleaves ours and age round by round and prints medians, the smallest and largest
// per-round ratio, CPU time per byte and the load average before and after: on a shared machine
// the spread says as much as the median. RESULTS.md has the last runs.
package agebench
