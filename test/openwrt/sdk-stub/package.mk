# Test stand-in for the OpenWrt SDK's package.mk: BuildPackage reads each package's fields and
# defines install-<name> (runs Package/<name>/install into DESTDIR); `compile` runs Build/Prepare
# and Build/Compile (tests use it with make -n); with DUMP=1 the fields are printed at parse time.
PKG_BUILD_DIR?=$(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
PKG_FIELDS:=SECTION CATEGORY SUBMENU TITLE DEPENDS PKGARCH

.PHONY: compile
compile:
	$(Build/Prepare)
	$(Build/Compile)

define BuildPackage
$(foreach f,$(PKG_FIELDS),$(eval $(f):=))
$(eval $(Package/$(1)))
$(if $(DUMP),$(info Package: $(1))$(foreach f,$(PKG_FIELDS),$(info $(f): $(strip $($(f)))))$(info Conffiles: $(strip $(Package/$(1)/conffiles)))$(info Config: $(if $(Package/$(1)/config),yes,no))$(info ))
.PHONY: install-$(1)
install-$(1):
	$$(call Package/$(1)/install,$$(DESTDIR))
endef
