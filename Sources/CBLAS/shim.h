#include <cblas.h>
// OpenBLAS thread control (declared in openblas_config.h / cblas.h of OpenBLAS).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
// glibc's allocator knobs (mallopt), the engine's other process-level C setting (AllocatorPolicy).
#include <malloc.h>
// A spin-wait hint for the engine's worker pool (WorkerPool).
static inline void uboost_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}
