#include <stdio.h>
int main(void) { puts("auclust skeleton"); return 0; }
