#include <omp.h>
#include <opencv2/core.hpp>

#include "threads.h"

void ve_cv_set_num_threads(int n) { cv::setNumThreads(n); }

int ve_cv_get_num_threads(void) { return cv::getNumThreads(); }

// Tesseract's LSTM asks OpenMP for a team of 4 threads (num_threads clause), which ignores
// omp_set_num_threads; the active-levels limit still applies. It is an ICV of the calling thread.
void ve_omp_limit_calling_thread(int n) {
	if (n <= 1) {
		omp_set_max_active_levels(0);
	} else {
		omp_set_max_active_levels(1);
		omp_set_num_threads(n);
	}
}
