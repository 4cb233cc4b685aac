/* The float kernels compiled for AVX2 + FMA (x86-64-v3). */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("arch=x86-64-v3")
#define KERN_SFX v3f
#define KERN_FLOAT 1
#include "kern_body.h"
#endif
