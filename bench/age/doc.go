// Package agebench measures package envelope against age (filippo.io/age) on the same data in the
// same run. It is a separate module so that the root module's tests never depend on age.
//
//	cd bench/age && go test -run XXX -bench . -benchtime 3x          # 1 MiB and 64 MiB, headers, rewrap
//	VE_BENCH_1G=1 go test -run TestReport -v -timeout 30m            # the full table with ratios, 1 GiB included
package agebench
