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
