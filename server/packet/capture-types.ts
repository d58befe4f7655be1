// What readCapture yields, and its error type.

export interface CapturedPacket {
  linkType: number;
  /** The captured bytes (possibly shorter than origLen when the snap length cut them). */
  data: Uint8Array;
  origLen: number;
  /** Seconds and nanoseconds since the epoch. */
  ts: { sec: number; nsec: number };
  /** pcapng: the interface's if_name, when the capture names it. */
  interface?: string;
}

export interface Capture {
  format: 'pcap' | 'pcapng';
  packets: CapturedPacket[];
  /** The file ended inside a record: the packets before it are kept. */
  truncated: boolean;
}

export class CaptureError extends Error {}
