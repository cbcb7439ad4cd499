#ifndef VE_BIOMETRICS_THREADS_H
#define VE_BIOMETRICS_THREADS_H
#ifdef __cplusplus
extern "C" {
#endif

void ve_cv_set_num_threads(int n);
int ve_cv_get_num_threads(void);
void ve_omp_limit_calling_thread(int n);

#ifdef __cplusplus
}
#endif
#endif
