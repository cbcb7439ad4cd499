package sim

import "fmt"

// SplitEven splits a machine of procs processors into n sites of near-equal size (the first sites
// get the remainder), every pair latencyMillis apart: the simplest model of a machine assembled from
// several providers.
func SplitEven(procs int64, n int, latencyMillis int64) ([]Site, [][]int64, error) {
	if n < 1 || n > MaxSites || int64(n) > procs || latencyMillis < 0 {
		return nil, nil, fmt.Errorf("%w: cannot split %d processors into %d sites %d ms apart", ErrInvalid, procs, n, latencyMillis)
	}
	sites := make([]Site, n)
	lat := make([][]int64, n)
	for i := range sites {
		sites[i] = Site{Name: fmt.Sprintf("site%d", i), Procs: procs / int64(n)}
		if int64(i) < procs%int64(n) {
			sites[i].Procs++
		}
		lat[i] = make([]int64, n)
		for k := range lat[i] {
			if k != i {
				lat[i][k] = latencyMillis
			}
		}
	}
	return sites, lat, nil
}
