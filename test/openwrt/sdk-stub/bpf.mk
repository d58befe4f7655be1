# Test stand-in for the OpenWrt SDK's bpf.mk: the same names, Debian's clang in place of llvm-bpf
# (and Debian's multiarch asm/ headers in place of the kernel tree's).
BPF_DEPENDS:=@HAS_BPF_TOOLCHAIN
BPF_ASM_INCLUDE:=$(patsubst %/asm/types.h,-I%,$(wildcard /usr/include/*/asm/types.h))

define CompileBPF
	clang -g -target bpf -O2 -Wall $(BPF_ASM_INCLUDE) -c $(1) -o $(patsubst %.c,%.o,$(1))
endef
