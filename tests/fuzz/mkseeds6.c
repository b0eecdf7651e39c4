/*
 * mkseeds6.c — writes the seed corpus of fuzz_frame6 (tests/fuzz/corpus/fuzz_frame6): a genuine
 * echo reply to a probe built with the harness's key (Ethernet, raw IP, 802.1Q), ICMPv6 errors
 * quoting it (unreachable 0 and 3, packet too big, time exceeded, parameter problem; the whole
 * probe or only its headers) and a neighbour advertisement. Each file is the harness's input: one
 * link-type selector byte, then the frame. Run from the repository root after `make`:
 *   cc -std=c11 -D_GNU_SOURCE -I. -Iinclude -o /tmp/mkseeds6 tests/fuzz/mkseeds6.c \
 *      build/libechoscan.a -lnet -lJudy && /tmp/mkseeds6
 */
#include <stdio.h>
#include <string.h>
#include "engine/probe6.h"
#include "engine/csum.h"
#include "engine/nd.h"
static const struct vkey key = { { 0x5e, 0xc7, 0x21, 0x09, 0x77, 0x3a, 0x4f, 0x10, 0x88, 0xd2, 0x6b, 0x01, 0xee, 0x42, 0x90, 0x3c } };
static const uint8_t our[16] = { 0x20, 0x01, 0x0d, 0xb8, 0,0,0,0,0,0,0,0,0,0,0,2 };
static const uint8_t tgt[16] = { 0x20, 0x01, 0x0d, 0xb8, 0,1,0,0,0,0,0,0,0,0,0,0x55 };
static const uint8_t gw[16] = { 0x20, 0x01, 0x0d, 0xb8, 0,0,0,0,0,0,0,0,0,0,0,1 };
static uint16_t ck(const uint8_t *ip) { uint8_t ph[40]={0}; size_t len=(size_t)(ip[4]<<8|ip[5]); memcpy(ph,ip+8,32); ph[34]=(uint8_t)(len>>8); ph[35]=(uint8_t)len; ph[39]=58; return csum_fold(csum_add(csum_add(0,ph,40),ip+40,len)); }
static void fix(uint8_t *ip){ ip[42]=ip[43]=0; uint16_t c=ck(ip); ip[42]=(uint8_t)(c>>8); ip[43]=(uint8_t)c; }
static void put(const char *name, uint8_t lt, const uint8_t *f, size_t n){ char p[256]; snprintf(p,sizeof p,"tests/fuzz/corpus/fuzz_frame6/%s",name); FILE *o=fopen(p,"wb"); if (!o) { perror(p); return; } fputc(lt,o); fwrite(f,1,n,o); fclose(o); }
int main(void){
  struct probe6_params pp={0}; struct probe6_template t; char err[256];
  memcpy(pp.saddr,our,16); pp.hop_limit=64; pp.payload_len=56; memcpy(pp.src_mac,"\2\0\0\0\0\1",6); memcpy(pp.dst_mac,"\2\0\0\0\0\2",6);
  if (probe6_template_build(&t,&pp,&key,err,sizeof err)) { puts(err); return 1; }
  struct probe6_fields f={.probe=1,.ts_ns=1700000000000000000ull-5000}; memcpy(f.daddr,tgt,16);
  uint8_t pr[2048], r[2048]; probe6_stamp(&t,&f,pr); size_t len=t.len;
  /* echo reply */
  memcpy(r,pr,len); memcpy(r+14+8,tgt,16); memcpy(r+14+24,our,16); r[14+1]=r[14+2]=r[14+3]=0; r[14+40]=129; fix(r+14); put("echoreply-eth",0,r,len);
  put("echoreply-raw",3,r+14,len-14);
  /* vlan */
  uint8_t v[2048]; memcpy(v,r,12); memcpy(v+12,"\x81\x00\x00\x07",4); memcpy(v+16,r+12,len-12); put("echoreply-vlan",0,v,len+4);
  /* errors */
  uint8_t types[][2]={{1,3},{1,0},{2,0},{3,0},{4,1}};
  for (int k=0;k<5;k++) for (int cut=0;cut<2;cut++){
    size_t q = cut ? 48 : len-14; uint8_t *ip=r+14; memcpy(r,pr,14); memset(ip,0,48);
    ip[0]=0x60; ip[4]=(uint8_t)((8+q)>>8); ip[5]=(uint8_t)(8+q); ip[6]=58; ip[7]=63; memcpy(ip+8,gw,16); memcpy(ip+24,our,16);
    ip[40]=types[k][0]; ip[41]=types[k][1]; if (types[k][0]==2){ip[46]=5; ip[47]=0;}
    memcpy(ip+48,pr+14,q); fix(ip); char nm[64]; snprintf(nm,sizeof nm,"err-%d-%d-%s",types[k][0],types[k][1],cut?"cut":"whole"); put(nm,0,r,14+48+q); }
  /* neighbour advertisement */
  uint8_t na[86]={0}; memcpy(na,"\2\0\0\0\0\1\2\0\0\0\0\2\x86\xdd",14); na[14]=0x60; na[19]=32; na[20]=58; na[21]=255; memcpy(na+22,gw,16); memcpy(na+38,our,16);
  na[54]=136; na[58]=0x60; memcpy(na+62,gw,16); na[78]=2; na[79]=1; memcpy(na+80,"\2\0\0\0\0\2",6); fix(na+14); put("nd-advert",0,na,86);
  return 0; }
