# Test stand-in for the OpenWrt SDK's rules.mk: the variables openwrt/Makefile uses, with the SDK's
# own install commands (so an install target builds a real tree) and a made-up MIPS toolchain.
INCLUDE_DIR:=$(TOPDIR)
BUILD_DIR?=$(TOPDIR)/build
STAGING_DIR?=/sdk/staging_dir/target-mipsel_24kc_musl
STAGING_DIR_HOSTPKG?=/sdk/staging_dir/hostpkg
TOOLCHAIN_DIR?=/sdk/staging_dir/toolchain-mipsel_24kc_gcc_musl
ARCH?=mipsel
TARGET_CROSS?=mipsel-openwrt-linux-musl-
TARGET_CC?=$(TARGET_CROSS)gcc
TARGET_CXX?=$(TARGET_CROSS)g++
TARGET_CFLAGS?=-Os -pipe -mno-branch-likely -mips32r2
TARGET_CXXFLAGS?=$(TARGET_CFLAGS)
TARGET_LDFLAGS?=-L$(STAGING_DIR)/usr/lib -znow -zrelro
TARGET_CONFIGURE_OPTS?=AR="$(TARGET_CROSS)gcc-ar" AS="$(TARGET_CC) -c" LD="$(TARGET_CROSS)ld" NM="$(TARGET_CROSS)gcc-nm"
INSTALL_DIR:=install -d -m0755
INSTALL_BIN:=install -m0755
INSTALL_DATA:=install -m0644
INSTALL_CONF:=install -m0600
CP:=cp -fpR
