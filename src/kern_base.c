/* The kernels compiled for the build's baseline instruction set. */
#define KERN_SFX base
#include "kern_body.h"
