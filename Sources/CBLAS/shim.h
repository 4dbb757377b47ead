#include <cblas.h>
// OpenBLAS thread control (declared in openblas_config.h / cblas.h of OpenBLAS).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
// glibc's allocator knobs (mallopt), the engine's other process-level C setting (AllocatorPolicy).
#include <malloc.h>
