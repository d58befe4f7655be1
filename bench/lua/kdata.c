/* Bench harness module for Debian lua5.4: the kernel's data/skb accessors and byteorder as C functions, as in Lunatik. */
#include <arpa/inet.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <string.h>

/*
 * Lunatik's luadata.c and luabyteorder are C: a read is one C call that checks the userdata, the
 * offset and the bounds, then copies host-order bytes. Timing compiled hooks against Lua-written
 * accessors would charge every header read several Lua calls that a router never pays.
 */

#define DATA "lunawall.bench.data"
#define SKB "lunawall.bench.skb"

typedef struct {
	size_t size;
	unsigned char bytes[];
} data_t;

static data_t *checkdata(lua_State *L) { return (data_t *)luaL_checkudata(L, 1, DATA); }

static const unsigned char *at(lua_State *L, data_t *d, size_t len) {
	lua_Integer o = luaL_checkinteger(L, 2);
	luaL_argcheck(L, o >= 0 && (size_t)o + len <= d->size, 2, "out of bounds");
	return d->bytes + o;
}

static int getuint8(lua_State *L) {
	data_t *d = checkdata(L);
	lua_pushinteger(L, *at(L, d, 1));
	return 1;
}

static int getuint16(lua_State *L) {
	data_t *d = checkdata(L);
	uint16_t v;
	memcpy(&v, at(L, d, 2), 2);
	lua_pushinteger(L, v);
	return 1;
}

static int getuint32(lua_State *L) {
	data_t *d = checkdata(L);
	uint32_t v;
	memcpy(&v, at(L, d, 4), 4);
	lua_pushinteger(L, v);
	return 1;
}

static int getstring(lua_State *L) {
	data_t *d = checkdata(L);
	lua_Integer o = luaL_checkinteger(L, 2);
	lua_Integer len = luaL_optinteger(L, 3, (lua_Integer)d->size - o);
	luaL_argcheck(L, o >= 0 && len >= 0 && (size_t)(o + len) <= d->size, 2, "out of bounds");
	lua_pushlstring(L, (const char *)d->bytes + o, (size_t)len);
	return 1;
}

static int length(lua_State *L) {
	lua_pushinteger(L, (lua_Integer)checkdata(L)->size);
	return 1;
}

static int newdata(lua_State *L) {
	size_t n;
	const char *s = luaL_checklstring(L, 1, &n);
	data_t *d = (data_t *)lua_newuserdatauv(L, sizeof(data_t) + n, 0);
	d->size = n;
	memcpy(d->bytes, s, n);
	luaL_setmetatable(L, DATA);
	return 1;
}

/* An skb holds its data object as a user value; data() and ifindex() are C methods as in luaskb. */
static int skbdata(lua_State *L) {
	luaL_checkudata(L, 1, SKB);
	lua_getiuservalue(L, 1, 1);
	return 1;
}

static int skbifindex(lua_State *L) {
	luaL_checkudata(L, 1, SKB);
	lua_pushinteger(L, 0);
	return 1;
}

static int newskb(lua_State *L) {
	luaL_checkudata(L, 1, DATA);
	lua_newuserdatauv(L, 1, 1);
	lua_pushvalue(L, 1);
	lua_setiuservalue(L, -2, 1);
	luaL_setmetatable(L, SKB);
	return 1;
}

static int l_ntoh16(lua_State *L) {
	uint16_t v = (uint16_t)luaL_checkinteger(L, 1);
	lua_pushinteger(L, ntohs(v));
	return 1;
}

static int l_ntoh32(lua_State *L) {
	uint32_t v = (uint32_t)luaL_checkinteger(L, 1);
	lua_pushinteger(L, ntohl(v));
	return 1;
}

static const luaL_Reg data_methods[] = {
	{"getuint8", getuint8}, {"getbyte", getuint8}, {"getuint16", getuint16},
	{"getuint32", getuint32}, {"getstring", getstring}, {NULL, NULL},
};

static const luaL_Reg skb_methods[] = {{"data", skbdata}, {"ifindex", skbifindex}, {NULL, NULL}};

static void class(lua_State *L, const char *name, const luaL_Reg *methods) {
	luaL_newmetatable(L, name);
	lua_newtable(L);
	luaL_setfuncs(L, methods, 0);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
}

int luaopen_kdata(lua_State *L) {
	class(L, DATA, data_methods);
	luaL_getmetatable(L, DATA);
	lua_pushcfunction(L, length);
	lua_setfield(L, -2, "__len");
	lua_pop(L, 1);
	class(L, SKB, skb_methods);
	static const luaL_Reg lib[] = {
		{"data", newdata}, {"skb", newskb}, {"ntoh16", l_ntoh16}, {"ntoh32", l_ntoh32}, {NULL, NULL},
	};
	luaL_newlib(L, lib);
	return 1;
}
