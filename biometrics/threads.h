#ifndef VE_BIOMETRICS_THREADS_H
#define VE_BIOMETRICS_THREADS_H
#ifdef __cplusplus
extern "C" {
#endif

void ve_cv_set_num_threads(int n);
int ve_cv_get_num_threads(void);
void ve_omp_limit_calling_thread(int n);
// ve_cv_cpu_feature writes the name of OpenCV CPU feature id into buf (size n) and returns 1 when
// OpenCV may dispatch code for it in this process, 0 when not, -1 when the id names no feature.
int ve_cv_cpu_feature(int id, char *buf, int n);
// ve_cv_max_feature bounds the feature ids.
int ve_cv_max_feature(void);

#ifdef __cplusplus
}
#endif
#endif
