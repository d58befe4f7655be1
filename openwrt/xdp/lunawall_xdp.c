/* lunawall's XDP loader: hands each frame to the Lunatik runtime named for its ingress interface. */
/*
 * One object serves every interface and every XDP policy. The runtime name for an interface
 * lives in the map lunawall_rt (ifindex -> name), which the backend fills with bpftool
 * (server/kernel/xdp-loader.ts), so a router never needs clang: the object is built once, with
 * the package. Frames on an interface without an entry, and every failure of the kfunc (runtime
 * missing, no callback, Lua error: all < 0), pass: the loader must fail open like netfilter hooks.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* "lunawall/" + a 32-byte policy slug + NUL fits; 64 leaves room for a longer directory. */
#define LUNAWALL_RT_NAME_MAX 64
#define LUNAWALL_RT_MAX_IFACES 256

struct lunawall_rt {
	/* strlen(name) + 1: Lunatik looks the runtime up by exactly key__sz - 1 bytes. */
	__u32 len;
	char name[LUNAWALL_RT_NAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LUNAWALL_RT_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct lunawall_rt);
} lunawall_rt SEC(".maps");

#ifndef __KERNEL__
/* OpenWrt's bpf.mk builds with the kernel's headers, which define size_t; libbpf-dev's do not. */
typedef __SIZE_TYPE__ size_t;
#endif

extern int bpf_luaxdp_run(char *key, size_t key__sz, struct xdp_md *xdp_ctx, void *arg,
			  size_t arg__sz) __ksym;

SEC("xdp")
int lunawall_xdp(struct xdp_md *ctx)
{
	/* The compiled Lua reads the ingress ifindex from `argument`: 4 bytes, host order. */
	__u32 ifindex = ctx->ingress_ifindex;
	struct lunawall_rt *rt = bpf_map_lookup_elem(&lunawall_rt, &ifindex);
	__u32 len;
	int action;

	if (!rt)
		return XDP_PASS;
	len = rt->len;
	/* Bounds the size for the verifier and refuses entries that would not be NUL-terminated. */
	if (len < 2 || len > LUNAWALL_RT_NAME_MAX)
		return XDP_PASS;
	action = bpf_luaxdp_run(rt->name, len, ctx, &ifindex, sizeof(ifindex));
	return action < 0 ? XDP_PASS : action;
}

char _license[] SEC("license") = "Dual MIT/GPL";
