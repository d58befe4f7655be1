// The packet toolkit: build wire bytes from the JSON packet form, parse them back, and read pcap/pcapng captures.
export { buildFrame, buildPacket, PacketSpecError } from './build.js';
export { parseFrame } from './parse.js';
export { readCapture, frameOf, CaptureError, LINKTYPE, type Capture, type CapturedPacket } from './capture.js';
export { checkPacketSpec, type SpecProblem } from './spec-check.js';
export type { ParsedPacket } from './types.js';
