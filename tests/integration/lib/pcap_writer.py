"""Writes Ethernet pcap files of hand-made IPv4 TCP and UDP packets, for softflowd to read in the flow tests."""
import struct


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ip_packet(src, dst, proto, payload):
    """An IPv4 packet (header checksum set) around `payload`; its total length is what NetFlow counts."""
    total = 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0, 64, proto, 0,
                      bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + payload


def tcp(src, sport, dst, dport, flags, total):
    """A TCP segment of `total` IP bytes with the given flags."""
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags, 65535, 0, 0)
    return ip_packet(src, dst, 6, seg + b"x" * (total - 40))


def udp(src, sport, dst, dport, total):
    """A UDP datagram of `total` IP bytes."""
    body = b"q" * (total - 28)
    return ip_packet(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(body), 0) + body)


def write_pcap(path, timed_packets):
    """Writes (seconds since the epoch, IP packet) pairs as Ethernet frames (LINKTYPE_ETHERNET)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, p in timed_packets:
            frame = b"\x00\x11\x22\x33\x44\x55" + b"\x66\x77\x88\x99\xaa\xbb" + b"\x08\x00" + p
            f.write(struct.pack("<IIII", int(t), int(round((t % 1) * 1e6)), len(frame), len(frame)))
            f.write(frame)
