# Test stand-in for the OpenWrt SDK's bpf.mk: the same names, Debian's clang in place of llvm-bpf.
BPF_DEPENDS:=@HAS_BPF_TOOLCHAIN

define CompileBPF
	clang -g -target bpf -O2 -Wall -c $(1) -o $(patsubst %.c,%.o,$(1))
endef
