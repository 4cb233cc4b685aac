/* The float kernels compiled for AVX-512 (x86-64-v4). */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("arch=x86-64-v4")
#define KERN_SFX v4f
#define KERN_FLOAT 1
#include "kern_body.h"
#endif
