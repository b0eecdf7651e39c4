/*
 * ping.h — `echoscan ping [options] HOST`: the classic ping, in iputils'
 * output format and with its options and exit status, on echoscan's engine
 * (same stateless probe and receiver), falling back to the kernel's ICMP
 * datagram socket when raw sockets are not allowed.
 */
#ifndef ECHOSCAN_PING_H
#define ECHOSCAN_PING_H

/* argv[0] is "ping". Returns the exit status (0 replies, 1 none, 2 error). */
int ping_main(int argc, char **argv);

#endif
