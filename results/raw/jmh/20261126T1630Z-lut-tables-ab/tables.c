#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
int32_t wf_lut_tables(const int8_t *q, int32_t n, int32_t k, int16_t *dst);
int64_t wf_lut_token_table_entries(int32_t k);
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
int main(){
  int k=2560; int8_t *q=malloc(k); for(int i=0;i<k;i++) q[i]=(int8_t)(i*37);
  int16_t *d=aligned_alloc(64, wf_lut_token_table_entries(k)*2+64);
  for(int r=0;r<5;r++){ double t0=now(); for(int i=0;i<10000;i++){ q[i%k]^=1; wf_lut_tables(q,1,k,d);} double t1=now();
  printf("tables K=2560: %.0f ns/call (%ld entries)\n",(t1-t0)/10000, (long)wf_lut_token_table_entries(k)); }
}
