package biometrics

// #cgo pkg-config: opencv4
// #cgo CXXFLAGS: -std=c++11 -fopenmp
// #cgo LDFLAGS: -fopenmp
// #include "threads.h"
import "C"

// setOpenCVThreads sets the threads of OpenCV's parallel loops (dnn layers, resizing) for the whole
// process: 1 runs them on the calling thread.
func setOpenCVThreads(n int) { C.ve_cv_set_num_threads(C.int(n)) }

func openCVThreads() int { return int(C.ve_cv_get_num_threads()) }

// limitOpenMP bounds the OpenMP team Tesseract starts from the calling OS thread (the caller holds
// runtime.LockOSThread): n ≤ 1 runs its parallel regions on that thread alone.
func limitOpenMP(n int) { C.ve_omp_limit_calling_thread(C.int(n)) }

// OpenCVCPUFeatures lists the CPU features (OpenCV's names: "AVX2", "AVX512-SKX", …) for which
// OpenCV may run its dispatched SIMD kernels in this process: what the CPU has, minus what the
// OPENCV_CPU_DISABLE environment variable turned off when the process started. Validators whose
// lists differ run different floating-point code (see package features on what they still agree
// on); logging the list helps to explain a dissent.
func OpenCVCPUFeatures() []string {
	var out []string
	var buf [64]C.char
	for id := 1; id < int(C.ve_cv_max_feature()); id++ {
		if C.ve_cv_cpu_feature(C.int(id), &buf[0], C.int(len(buf))) == 1 {
			out = append(out, C.GoString(&buf[0]))
		}
	}
	return out
}
