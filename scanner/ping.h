/*
 * ping.h — `echoscan ping [options] HOST`: the classic ping, in iputils'
 * output format and with its options and exit status, over the kernel echo
 * socket of the public API (es_socket_*: a raw ICMP socket, or the ICMP
 * datagram socket without privileges, as iputils chooses).
 */
#ifndef ECHOSCAN_PING_H
#define ECHOSCAN_PING_H

/* argv[0] is "ping". Returns the exit status (0 replies, 1 none, 2 error). */
int ping_main(int argc, char **argv);

#endif
