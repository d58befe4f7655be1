// The emulator's public types (the contract in /tmp/team.md, plus what it reports beyond it).
import type { Hook } from '../policy/schema.js';
import type { TargetProfile } from '../compile/profile.js';

export interface LoadOpts {
  profile: TargetProfile;
  target: 'netfilter' | 'xdp';
}

export interface RunInput {
  /** A full Ethernet frame (VLAN tags included, if any). */
  frame: Uint8Array;
  /** netfilter: the hook the packet traverses; default: the hook of the script's first registration. */
  hook?: Hook;
  /** The hook device (netfilter) or receiving interface (XDP); absent = no device. */
  ifindex?: number;
  /** skb->mark before the hook; default 0. */
  mark?: number;
  /**
   * netfilter: whether the skb has a MAC header ('l2') or not ('l3'). Default: none on `output`
   * (locally generated packets), set on every other hook. Decides where a lunatik-3.6 `data`
   * buffer starts and whether lunatik-4's skb:data("mac") works.
   */
  layer?: 'l2' | 'l3';
}

export interface RunResult {
  verdict: 'accept' | 'drop';
  /**
   * The integer the kernel acts on: netfilter, the verdict after Lunatik's range mapping (0..5;
   * NF_ACCEPT = 1 when the hook failed, was skipped or is missing); XDP, what bpf_luaxdp_run
   * returns (-1 when the callback failed or is missing).
   */
  raw: number;
  /** The hook's error (Lua error text, or the instruction-budget message). */
  error?: string;
  /** Why no hook ran: its `mark` differs, nothing is registered for this hook/target, or the frame is not IP for its pf. */
  skipped?: 'mark' | 'no-hook' | 'family';
  /** The skb mark the hook set with its second return value. */
  mark?: number;
  /** True when the instruction budget ran out (an endless loop on a real router). */
  fatal?: boolean;
}

export interface EmulatorHealth {
  ok: boolean;
  /** Kernel-log-style lines (`luanetfilter: <msg>`), most recent last, at most 100. */
  errors: string[];
  /** Every hook error since load, including those no longer listed. */
  errorCount: number;
  /** Instruction-budget overruns since load. */
  fatalCount: number;
}

export interface EmulatorOptions {
  /** Instructions per packet before the call is stopped as an endless loop (default 1,000,000). */
  callBudget?: number;
  /** Instructions for the script's top level (default 200,000,000). */
  loadBudget?: number;
  /** Lua heap per runtime in bytes (default 256 MiB). */
  memoryLimit?: number;
}

export interface Emulator {
  load(name: string, script: string, opts: LoadOpts): Promise<void>;
  run(name: string, input: RunInput): RunResult;
  counters(name: string): Record<string, number>;
  /** The counters that rose since the previous call (or since load), with how much: cheap per packet. */
  countersDelta(name: string): Record<string, number>;
  health(name: string): EmulatorHealth;
  /** What the script printed (each `print` call one line), since the last call. */
  output(name: string): string[];
  unload(name: string): void;
  list(): string[];
  close(): void;
}
