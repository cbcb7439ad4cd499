#include <omp.h>
#include <cstring>
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>

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

// OPENCV_CPU_DISABLE (read once, when OpenCV loads) turns features off for the whole process.
int ve_cv_cpu_feature(int id, char *buf, int n) {
	if (id <= 0 || id >= CV_HARDWARE_MAX_FEATURE) {
		return -1;
	}
	std::string name = cv::getHardwareFeatureName(id);
	if (name.empty() || n <= 0) {
		return -1;
	}
	std::strncpy(buf, name.c_str(), n - 1);
	buf[n - 1] = 0;
	return cv::checkHardwareSupport(id) ? 1 : 0;
}

int ve_cv_max_feature(void) { return CV_HARDWARE_MAX_FEATURE; }
