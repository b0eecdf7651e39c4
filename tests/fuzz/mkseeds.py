#!/usr/bin/env python3
"""tests/fuzz/mkseeds.py — writes the seed corpora in tests/fuzz/corpus/<harness>/.

    python3 tests/fuzz/mkseeds.py [CAPTURE.pcap]

Seeds are small inputs that show each harness the shapes that matter, so the fuzzer starts deep
instead of rediscovering the formats byte by byte:
  fuzz_frame    real captured echo replies and host-unreachables quoting probes (from CAPTURE, an
                Ethernet pcap of a lab scan: `tcpdump -i ves -w CAPTURE icmp` in the scanner
                namespace), frames built with the harnesses' fixed key (so classify's valid path is
                reachable), the same as raw IP / Linux cooked / 802.1Q, and truncations of them;
  fuzz_reply    reply descriptions: every ICMP type, link type, IP options, short quotes, edits;
  fuzz_targets  target lists and blocklists (CIDR, ranges, comments, CRLF, names, bad lines);
  fuzz_ipset    operation programs at the bottom, middle and top of the address space;
  fuzz_numparse numbers, rates, durations at and past their bounds;
  fuzz_cli      command lines using each option.
Without CAPTURE the fuzz_frame files taken from a capture (cap-*) are kept as they are.
"""
import os, struct, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
KEY = bytes([0x5e, 0xc7, 0x21, 0x09, 0x77, 0x3a, 0x4f, 0x10,
             0x88, 0xd2, 0x6b, 0x01, 0xee, 0x42, 0x90, 0x3c])   # as in the harnesses
OUR, ROUTER = 0xc6130001, 0xc6130002
SENT = 1700000000000000000
M64 = (1 << 64) - 1


def siphash24(key, msg):
    k0, k1 = struct.unpack("<QQ", key)
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d,
         k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]
    rotl = lambda x, b: ((x << b) | (x >> (64 - b))) & M64

    def rnd():
        v[0] = (v[0] + v[1]) & M64; v[1] = rotl(v[1], 13) ^ v[0]; v[0] = rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & M64; v[3] = rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & M64; v[3] = rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & M64; v[1] = rotl(v[1], 17) ^ v[2]; v[2] = rotl(v[2], 32)
    tail = len(msg) % 8
    body = msg[:len(msg) - tail]
    last = msg[len(msg) - tail:] + b"\0" * (7 - tail) + bytes([len(msg) & 255])
    for blk in [body[i:i + 8] for i in range(0, len(body), 8)] + [last]:
        m = struct.unpack("<Q", blk)[0]
        v[3] ^= m; rnd(); rnd(); v[0] ^= m
    v[2] ^= 0xff
    for _ in range(4):
        rnd()
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip(src, dst, ipid, body, opt=b"", total=None):
    hl = 20 + len(opt)
    h = struct.pack("!BBHHHBBHII", 0x40 | hl // 4, 0, total or hl + len(body), ipid, 0, 61, 1, 0,
                    src, dst) + opt
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + body


def icmp(t, code, rest, data):
    m = struct.pack("!BBH", t, code, 0) + rest + data
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def probe_ip(daddr, probe, plen=18):
    tag = siphash24(KEY, b"T" + struct.pack("!IH", daddr, probe)) & 0xffffffff
    mac = siphash24(KEY, b"M" + struct.pack("!IQH", daddr, SENT, probe))
    pl = struct.pack("!QQH", SENT, mac, probe) + bytes(i & 255 for i in range(18, plen))
    return ip(OUR, daddr, probe, icmp(8, 0, struct.pack("!I", tag), pl))


def trace_probe_ip(daddr, ttl, plen=32):
    """A traceroute probe as engine/trace_probe.c stamps it (send time SENT)."""
    t = (SENT // 1000) & 0xffffff
    chk = siphash24(KEY, b"R" + struct.pack("!IB", daddr, ttl) + t.to_bytes(3, "big")) & 0xffffffff
    mac = siphash24(KEY, b"M" + struct.pack("!IQH", daddr, SENT, ttl))
    fill = bytes(i & 255 for i in range(20, plen))
    m = struct.pack("!BBHHHQQHH", 8, 0, 0, t & 0xffff, chk >> 16, SENT, mac, ttl, 0) + fill
    s = (~csum(m)) & 0xffff                   # one's-complement sum with both fields 0
    comp = (~chk & 0xffff) + (~s & 0xffff)    # so that sum + comp = ~want
    comp = (comp & 0xffff) + (comp >> 16)
    m = m[:2] + struct.pack("!H", chk & 0xffff) + m[4:26] + struct.pack("!H", comp) + m[28:]
    assert csum(m) == 0
    return ip(OUR, daddr, ttl << 8 | t >> 16, m)


def eth(p, vlan=False):
    hdr = bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2])
    if vlan:
        hdr += struct.pack("!HH", 0x8100, 7)
    return hdr + b"\x08\x00" + p


def sll(p):
    return struct.pack("!HHH8sH", 0, 1, 6, b"\2\0\0\0\0\2\0\0", 0x0800) + p


def write(harness, name, data):
    d = os.path.join(ROOT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def frames_from_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    if struct.unpack(end + "I", data[20:24])[0] != 1:
        sys.exit("mkseeds: %s is not an Ethernet capture" % path)
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def frame_seeds(pcap):
    # link selector byte: 0 Ethernet, 3 raw IPv4 (101), 4 Linux cooked (113), 5 unsupported;
    # + 0x80: kernel_ident; + 0x40 (without 0x80): trace
    if pcap:
        for f in os.listdir(os.path.join(ROOT, "fuzz_frame")) if os.path.isdir(
                os.path.join(ROOT, "fuzz_frame")) else []:
            if f.startswith("cap-"):
                os.unlink(os.path.join(ROOT, "fuzz_frame", f))
        kinds = {}
        for fr in frames_from_pcap(pcap):
            if len(fr) < 35 or fr[12:14] != b"\x08\x00" or fr[23] != 1:
                continue
            t = fr[34]
            key = (t, len(fr))
            if t in (0, 3) and kinds.get(key, 0) < 2:
                kinds[key] = kinds.get(key, 0) + 1
                name = "cap-%s-%d-%d" % ("echoreply" if t == 0 else "unreach", len(fr), kinds[key])
                write("fuzz_frame", name, b"\0" + fr)
    d = 0xc6120a0b
    echo = probe_ip(d, 1, 56)
    echo = ip(d, OUR, 0x1234, icmp(0, 0, echo[24:28], echo[28:]))
    err = ip(ROUTER, OUR, 0x4321, icmp(3, 1, b"\0" * 4, probe_ip(d, 2, 56)))
    err8 = ip(ROUTER, OUR, 0x4321, icmp(11, 0, b"\0" * 4, probe_ip(d, 0)[:28]))
    opts = ip(d, OUR, 7, icmp(0, 0, echo[24:28], echo[28:]), opt=b"\1" * 8)
    for name, p in (("echoreply", echo), ("unreach", err), ("timxceed-ip8", err8),
                    ("echoreply-options", opts)):
        write("fuzz_frame", "key-%s-eth" % name, b"\0" + eth(p))
        write("fuzz_frame", "key-%s-vlan" % name, b"\0" + eth(p, vlan=True))
        write("fuzz_frame", "key-%s-raw" % name, b"\3" + p)
        write("fuzz_frame", "key-%s-sll" % name, b"\4" + sll(p))
    # the top bit of the selector turns on kernel_ident (ICMP datagram socket mode)
    write("fuzz_frame", "key-echoreply-eth-kernel-ident", b"\x80" + eth(echo))
    write("fuzz_frame", "key-unreach-raw-kernel-ident", b"\x83" + err)
    for cut in (13, 14, 33, 34, 41, 42, 61, 70):
        write("fuzz_frame", "trunc-unreach-%d" % cut, b"\0" + eth(err)[:cut])
    write("fuzz_frame", "qinq", b"\0" + eth(echo, vlan=True)[:12] + b"\x88\xa8\0\1" +
          eth(echo, vlan=True)[12:])
    write("fuzz_frame", "rfc4884-len", b"\0" + eth(ip(ROUTER, OUR, 1, icmp(
        3, 4, b"\0\x20\0\0", probe_ip(d, 1, 140)))))
    write("fuzz_frame", "unsupported-link", b"\5" + eth(echo))
    # selector 0x40: trace mode (engine/trace_probe.h), with trace probes of TTL 3
    tp = trace_probe_ip(d, 3)
    write("fuzz_frame", "key-trace-timxceed-ip8", b"\x40" + eth(ip(ROUTER, OUR, 9, icmp(
        11, 0, b"\0" * 4, tp[:28]))))
    write("fuzz_frame", "key-trace-unreach-whole", b"\x43" + ip(d, OUR, 9, icmp(
        3, 1, b"\0" * 4, tp)))
    write("fuzz_frame", "key-trace-echoreply", b"\x40" + eth(ip(d, OUR, 5, icmp(
        0, 0, tp[24:28], tp[28:]))))
    write("fuzz_frame", "ipv6-raw", b"\3" + b"\x60" + b"\0" * 39)


def reply_seeds():
    # type_sel code len_byte daddr probe payload_len opt q_opt quote_len link rtt nedits fix cut
    def spec(tsel, code=0, lb=0, daddr=0xc6120304, probe=1, plen=38, opt=0, qopt=0, qlen=9999,
             link=0, rtt=123456, edits=(), fix=0, cut=0):
        b = struct.pack("!BBBIBHBBHBIBBH", tsel, code, lb, daddr, probe, plen - 18, opt, qopt,
                        qlen, link, rtt, len(edits), fix, cut)
        return b + b"".join(struct.pack("!HB", o, x) for o, x in edits)
    names = ["echoreply", "unreach", "timxceed", "paramprob", "srcquench", "redirect"]
    for t in range(6):
        for link in range(4):
            write("fuzz_reply", "%s-link%d" % (names[t], link), spec(t, link=link))
    write("fuzz_reply", "unreach-ip8", spec(1, qlen=28))
    write("fuzz_reply", "unreach-options", spec(1, opt=3, qopt=10, code=13))
    write("fuzz_reply", "timxceed-rfc4884", spec(2, lb=40, plen=200))
    write("fuzz_reply", "echoreply-maxpayload", spec(0, plen=1472, opt=10))
    write("fuzz_reply", "echoreply-edit-fixsum", spec(0, edits=((50, 1), (60, 0x80)), fix=1))
    write("fuzz_reply", "unreach-edit-quote", spec(1, edits=((66, 1),), fix=1))
    write("fuzz_reply", "echoreply-cut", spec(0, cut=45))


def text_seeds():
    T = "fuzz_targets"
    def tg(name, targets, exclude=""):
        blob = targets + exclude
        split = 0 if not blob else round(len(targets) * 255 / len(blob))
        while blob and split * len(blob) // 255 < len(targets):
            split += 1
        write(T, name, bytes([min(split, 255)]) + blob.encode())
    tg("cidr-range-comments", "198.18.0.0/16\n# a comment\n  198.19.3.4-198.19.9.9  # range\n10.1.2.3\n",
       "198.18.5.0/24\n198.18.0.0\n")
    tg("whole-space", "0.0.0.0/0\n", "255.255.255.255\n0.0.0.0/8\n")
    tg("crlf-blank", "198.18.1.1\r\n\r\n\t\n198.18.1.2/31\r\n", "")
    tg("top-bottom", "255.255.255.0/24\n0.0.0.0/32\n0.0.0.0-0.0.0.255\n", "255.255.255.128/25\n")
    tg("name-refused", "example.org\n", "")
    tg("bad-prefix", "1.2.3.4/33\n", "")
    tg("bad-range", "5.6.7.8-1.2.3.4\n", "")
    tg("short-quad", "1.2.3/8\n", "")
    tg("nul", "1.2.3.4\n5.6\x007.8\n", "")
    tg("long-line", "1" * 300 + "\n", "")
    N = "fuzz_numparse"
    for sel, txt, name in ((0, "65535", "u64"), (0, "18446744073709551615", "u64-max"),
                           (0, "18446744073709551616", "u64-overflow"), (4, "65536", "probes-over"),
                           (1, "1.5M", "rate-frac"), (1, "max", "rate-max"), (1, "10k", "rate-k"),
                           (1, "99999999999999999999", "rate-overflow"), (1, "0.0001k", "rate-subunit"),
                           (2, "250ms", "dur-ms"), (2, "0.5", "dur-frac"), (2, "2m", "dur-min"),
                           (18, "86400.000000001", "dur-over"), (22, "0.05", "dur-under"),
                           (2, "1.0000000000000000000001h", "dur-longfrac")):
        write(N, name, bytes([sel]) + txt.encode())
    write(N, "own-bounds", bytes([28]) + struct.pack("!QQ", 5, 10) + b"7")
    C = "fuzz_cli"
    for name, argv in (
            ("rate", ["-r", "10k", "198.18.0.0/16"]),
            ("shards", ["--shards", "4", "--shard", "3", "--seed", "1", "198.18.0.0/16"]),
            ("loop", ["--loop", "--report-every", "5", "--interval", "0.5", "198.18.0.1"]),
            ("stdin-exclude", ["-iL", "-", "-x", "198.18.0.0/24", "198.18.0.0/23"]),
            ("stats-all", ["--stats", "--all", "1.2.3.4"]),
            ("json-fields", ["-O", "json", "-f", "*", "--list-fields", "198.18.0.0/30"]),
            ("probing", ["-P", "3", "--interval", "0.5", "--ttl", "1", "--size", "1472",
                         "-c", "250ms", "--max-runtime", "1h", "198.18.0.0-198.18.0.9"]),
            ("network", ["-i", "ves", "-S", "198.19.0.1", "-G", "02:00:00:00:00:01", "--tx", "mmsg",
                         "--max-targets", "10", "--dry-run", "0.0.0.0/0"]),
            ("excluded-all", ["-x", "0.0.0.0/0", "198.18.0.0/16"]),
            ("resume", ["--resume", "scan.state", "-o", "out.csv", "198.18.0.0/16"]),
            ("metadata", ["-m", "meta.json", "--notes", "lab run", "-q", "198.18.0.0/24"]),
            ("help", ["--help"]), ("unknown", ["--nope"]), ("missing-value", ["-r"])):
        write(C, name, b"\0".join(a.encode() for a in argv))


def ipset_seeds():
    def prog(base, ops):
        return bytes([base]) + b"".join(struct.pack("!BHH", *o) for o in ops)
    for base in range(3):
        write("fuzz_ipset", "mixed-%d" % base, prog(base, [
            (0, 10, 20), (0, 15, 30), (4, 31, 31), (1, 12, 12), (5, 0, 0), (2, 0, 11),
            (2, 25, 1023), (3, 0, 0), (0, 1020, 1023), (5, 0, 0)]))
    write("fuzz_ipset", "edges", prog(2, [(0, 0, 1023), (1, 1, 1022), (5, 0, 0), (1, 0, 0),
                                          (0, 1023, 1023), (5, 0, 0)]))


def main():
    pcap = sys.argv[1] if len(sys.argv) > 1 else None
    frame_seeds(pcap)
    reply_seeds()
    text_seeds()
    ipset_seeds()


if __name__ == "__main__":
    main()
