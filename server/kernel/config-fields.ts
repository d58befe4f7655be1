// The kernel backends' settings as server/config.ts fields: env var, CLI flag, schema (strings coerced), description.
import { z } from 'zod';

export const kernelConfigFields = {
  lunatikBin: {
    env: 'LUNAWALL_LUNATIK_BIN',
    flag: 'lunatik-bin',
    doc: 'lunatik backend: the lunatik command-line tool',
    schema: z.string().min(1).default('lunatik'),
  },
  lunatikRoot: {
    env: 'LUNAWALL_LUNATIK_ROOT',
    flag: 'lunatik-root',
    doc: "lunatik backend: Lunatik's script root; policies go to <root>/lunawall/<name>.lua",
    schema: z.string().min(1).default('/lib/modules/lua'),
  },
  lunatikDevice: {
    env: 'LUNAWALL_LUNATIK_DEVICE',
    flag: 'lunatik-device',
    doc: 'lunatik backend: the control device, read for _LUNATIK_VERSION (also what backend=auto looks for)',
    schema: z.string().min(1).default('/dev/lunatik'),
  },
  kernelLog: {
    env: 'LUNAWALL_KERNEL_LOG',
    flag: 'kernel-log',
    doc: 'lunatik backend: where hook errors are read: "dmesg" or the path of a log file',
    schema: z.string().min(1).default('dmesg'),
  },
  xdpObject: {
    env: 'LUNAWALL_XDP_OBJECT',
    flag: 'xdp-object',
    doc: 'lunatik backend: the compiled XDP loader (openwrt/xdp/lunawall_xdp.c), pinned with bpftool for XDP policies',
    schema: z.string().min(1).default('/usr/lib/lunawall/lunawall_xdp.o'),
  },
  emulatorProfile: {
    env: 'LUNAWALL_EMULATOR_PROFILE',
    flag: 'emulator-profile',
    doc: 'emulator and nfqueue backends: the Lunatik release to behave like',
    schema: z.enum(['lunatik-4', 'lunatik-3.6']).default('lunatik-4'),
  },
  iptables: {
    env: 'LUNAWALL_IPTABLES',
    flag: 'iptables',
    doc: 'nfqueue backend: iptables binary (iptables, iptables-legacy, iptables-nft); IPv6 uses the matching ip6tables',
    schema: z.string().min(1).default('iptables'),
  },
  nfqueueBase: {
    env: 'LUNAWALL_NFQUEUE_BASE',
    flag: 'nfqueue-base',
    doc: 'nfqueue backend: first of the six NFQUEUE numbers it uses',
    schema: z.coerce.number().int().min(0).max(65529).default(4200),
  },
} satisfies Record<string, { env: string; flag: string; doc: string; schema: z.ZodType }>;

export type KernelConfig = { [K in keyof typeof kernelConfigFields]: z.infer<(typeof kernelConfigFields)[K]['schema']> };
