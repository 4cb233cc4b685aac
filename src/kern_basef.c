/* The float kernels compiled for the build's baseline instruction set. */
#define KERN_SFX basef
#define KERN_FLOAT 1
#include "kern_body.h"
