// A minimal hand-built frame for backend tests that need any IPv4 packet at all.

/** Ethernet + IPv4 + UDP 10.0.0.1:1234 → 10.0.0.2:5678, 4 payload bytes (checksums left zero). */
export function udpFrame(): Uint8Array {
  const ip = [0x45, 0, 0, 32, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const udp = [0x04, 0xd2, 0x16, 0x2e, 0, 12, 0, 0, 1, 2, 3, 4];
  const eth = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
  return Uint8Array.from([...eth, ...ip, ...udp]);
}
