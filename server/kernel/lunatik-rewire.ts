// Moves a policy's XDP interfaces from one runtime to another without a frame meeting neither.
import type { XdpLoader } from './xdp-loader.js';

export interface Wiring {
  /** Absent: nothing runs to attach to (a first load's old side, or an unload). */
  runtime?: string;
  interfaces: string[];
}

/**
 * Shared interfaces move by a map update (atomic per frame), new ones are attached, ones `to` does
 * not keep are detached (best effort). Throws on the first point or attach that fails.
 */
export async function rewire(xdp: XdpLoader, from: Wiring, to: Wiring): Promise<void> {
  if (to.runtime) {
    for (const iface of to.interfaces) {
      if (from.runtime && from.interfaces.includes(iface)) await xdp.point(iface, to.runtime);
      else await xdp.attach(iface, to.runtime);
    }
  }
  const keep = to.runtime ? to.interfaces : [];
  await detachAll(xdp, from.interfaces.filter((i) => !keep.includes(i)));
}

/** Best effort: an interface that is gone has nothing attached any more. */
export async function detachAll(xdp: XdpLoader, interfaces: string[]): Promise<void> {
  for (const iface of interfaces) await xdp.detach(iface).catch(() => undefined);
}
