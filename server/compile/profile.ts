// Target profiles: which Lunatik release a script is written for (lunatik.md §0.2).

export const targetProfiles = ['lunatik-4', 'lunatik-3.6'] as const;
export type TargetProfile = (typeof targetProfiles)[number];

/** Where the hook's buffer starts; 3.6 netfilter and all XDP hand over frames from L2. */
export type HookInput = 'l2' | 'l3';
