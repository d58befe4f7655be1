-- Host side (trusted): the Lunatik modules a script can require, per target profile (lunatik.md §2–3, §10).
local E = __E
local type, error, tostring, pairs, setmetatable, rawget = type, error, tostring, pairs, setmetatable, rawget
local mtype = math.type
local ssub, sfind, sgsub = string.sub, string.find, string.gsub
local getmetatable = debug.getmetatable
local argerror, checkint = E.argerror, E.checkint
local lua_tointeger = E.lua_tointeger

local INT_MIN <const>, INT_MAX <const> = -2147483648, 2147483647

local ip_pri = {
	FIRST = INT_MIN, RAW_BEFORE_DEFRAG = -450, CONNTRACK_DEFRAG = -400, RAW = -300, SELINUX_FIRST = -225,
	CONNTRACK = -200, MANGLE = -150, NAT_DST = -100, FILTER = 0, SECURITY = 50, NAT_SRC = 100,
	SELINUX_LAST = 225, CONNTRACK_HELPER = 300, CONNTRACK_CONFIRM = INT_MAX, LAST = INT_MAX,
}
local br_pri = {
	FIRST = INT_MIN, NAT_DST_BRIDGED = -300, FILTER_BRIDGED = -200, BRNF = 0, NAT_DST_OTHER = 100,
	FILTER_OTHER = 200, NAT_SRC = 300, LAST = INT_MAX,
}
local family = { UNSPEC = 0, INET = 1, IPV4 = 2, ARP = 3, NETDEV = 5, BRIDGE = 7, IPV6 = 10 }
local inet_hooks = { PRE_ROUTING = 0, LOCAL_IN = 1, FORWARD = 2, LOCAL_OUT = 3, POST_ROUTING = 4 }
local br_hooks = { PRE_ROUTING = 0, LOCAL_IN = 1, FORWARD = 2, LOCAL_OUT = 3, POST_ROUTING = 4, BROUTING = 5 }
local arp_hooks = { IN = 0, OUT = 1, FORWARD = 2 }
local netdev_hooks = { INGRESS = 0, EGRESS = 1 }
local nf_action = { DROP = 0, ACCEPT = 1, STOLEN = 2, QUEUE = 3, REPEAT = 4, STOP = 5 }
local xdp_action = { ABORTED = 0, DROP = 1, PASS = 2, TX = 3, REDIRECT = 4 }

local function copy(t)
	local c = {}
	for k, v in pairs(t) do c[k] = type(v) == "table" and copy(v) or v end
	return c
end

-- Which (pf, hooknum) pairs nf_register_net_hook accepts without a device.
local function registrable(pf, hooknum)
	if pf == 1 or pf == 2 or pf == 10 then return hooknum >= 0 and hooknum <= 4 end
	if pf == 3 then return hooknum >= 0 and hooknum <= 2 end
	if pf == 7 then return hooknum >= 0 and hooknum <= 5 end
	return false
end

local function luatype(v)
	return v == nil and "nil" or type(v)
end

-- lunatik_checkfield + lua_tointeger, with the kernel's message.
local function field(ops, name)
	local v = ops[name]
	if type(v) ~= "number" then error("bad field '" .. name .. "' (number expected, got " .. luatype(v) .. ")", 0) end
	return lua_tointeger(v)
end

local object_mt = { __name = "netfilter", __metatable = false }

--- The runtime's registrations; `rt` is the per-script state the dispatcher reads.
local function netfilter_register(rt, fname)
	return function(ops)
		if type(ops) ~= "table" then
			error("bad argument #1 to '" .. fname .. "' (table expected, got " .. (ops == nil and "no value" or type(ops)) .. ")", 0)
		end
		local pf = field(ops, "pf")
		local hooknum = field(ops, "hooknum")
		local priority = field(ops, "priority")
		local mark = ops.mark
		mark = mark == nil and 0 or (lua_tointeger(mark) & 0xffffffff)
		if not registrable(pf, hooknum) then error("failed to register netfilter hook", 0) end
		local reg = { ops = ops, pf = pf, hooknum = hooknum, priority = priority & 0xffffffff, mark = mark, seq = #rt.hooks + 1 }
		if reg.priority >= 0x80000000 then reg.priority = reg.priority - 0x100000000 end
		rt.hooks[#rt.hooks + 1] = reg
		table.sort(rt.hooks, function(a, b)
			if a.priority ~= b.priority then return a.priority < b.priority end
			return a.seq < b.seq
		end)
		return setmetatable({}, object_mt)
	end
end

local function xdp_module(rt, v36)
	local m = {
		attach = function(cb)
			if type(cb) ~= "function" then
				error("bad argument #1 to 'xdp.attach' (function expected, got " .. (cb == nil and "no value" or type(cb)) .. ")", 0)
			end
			rt.xdp = cb
		end,
		detach = function() rt.xdp = nil end,
	}
	if v36 then m.action = copy(xdp_action) end
	return m
end

-- Byte-swapping as luabyteorder.c / lualinux.c do it: cast to the width, swap (little-endian host).
local function swap16(x) x = checkint(x, 1) & 0xffff return ((x & 0xff) << 8) | (x >> 8) end
local function swap32(x)
	x = checkint(x, 1) & 0xffffffff
	return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >> 8) & 0xff00) | (x >> 24)
end
local function swap64(x)
	x = checkint(x, 1)
	return (string.unpack(">i8", string.pack("<i8", x)))
end
local function same16(x) return checkint(x, 1) & 0xffff end
local function same32(x) return checkint(x, 1) & 0xffffffff end
local function same64(x) return checkint(x, 1) end

local function byteorder_functions()
	return {
		ntoh16 = swap16, ntoh32 = swap32, hton16 = swap16, hton32 = swap32, ntoh64 = swap64, hton64 = swap64,
		htobe16 = swap16, htobe32 = swap32, htobe64 = swap64, be16toh = swap16, be32toh = swap32, be64toh = swap64,
		htole16 = same16, htole32 = same32, htole64 = same64, le16toh = same16, le32toh = same32, le64toh = same64,
	}
end

-- rcu.table: string keys (< 256 bytes); values: v4.2+ booleans, integers, Lunatik objects or nil,
-- v3.x Lunatik objects or nil (lunatik.md §2.5).
local function is_object(v)
	local mt = type(v) == "table" and getmetatable(v)
	return mt == E.data_mt or mt == object_mt or (mt and rawget(mt, "__lunatik") == true) or false
end

local function rcu_module(v36)
	local rcu_mt = { __lunatik = true, __name = "rcu", __metatable = false }
	local function store(t) return rawget(t, "__store") end
	local function key(k)
		if type(k) == "number" then k = tostring(k) end
		if type(k) ~= "string" then argerror(2, "string expected, got " .. luatype(k)) end
		if #k >= 256 then argerror(2, "key too long") end
		return k
	end
	rcu_mt.__index = function(t, k) return store(t)[key(k)] end
	rcu_mt.__newindex = function(t, k, v)
		k = key(k)
		local ok = v == nil or is_object(v) or (not v36 and (type(v) == "boolean" or mtype(v) == "integer"))
		if not ok then argerror(3, "invalid value") end
		store(t)[k] = v
	end
	return {
		table = function(size)
			if size ~= nil then checkint(size, 1) end
			return setmetatable({ __store = {} }, rcu_mt)
		end,
		map = function(t, fn)
			if getmetatable(t) ~= rcu_mt then argerror(1, "rcu expected") end
			for k, v in pairs(store(t)) do fn(k, v) end
		end,
	}
end

-- set.new / set.labeled (lib/luaset_*.c): immutable string sets.
local function set_module()
	local set_mt = { __lunatik = true, __name = "set", __metatable = false }
	set_mt.__index = {
		has = function(s, str)
			if type(str) ~= "string" then argerror(2, "string expected, got " .. luatype(str)) end
			return rawget(s, "__members")[str] == true
		end,
	}
	set_mt.__len = function(s) return rawget(s, "__n") end
	local label_mt = { __lunatik = true, __name = "labelset", __metatable = false }
	label_mt.__index = {
		match = function(s, str)
			if type(str) ~= "string" then argerror(2, "string expected, got " .. luatype(str)) end
			local members, flags, i = rawget(s, "__members"), 0, 1
			while true do
				local f = members[ssub(str, i)]
				if f then flags = flags | f end
				local dot = sfind(str, ".", i, true)
				if not dot then break end
				i = dot + 1
			end
			return flags
		end,
	}
	label_mt.__len = function(s) return rawget(s, "__n") end
	return {
		new = function(t)
			if type(t) ~= "table" then argerror(1, "table expected, got " .. luatype(t)) end
			table.sort(t)
			local members, n = {}, #t
			for i = 1, n do
				if type(t[i]) ~= "string" then argerror(1, "members must be strings") end
				members[t[i]] = true
			end
			return setmetatable({ __members = members, __n = n }, set_mt)
		end,
		labeled = function(t)
			if type(t) ~= "table" then argerror(1, "table expected, got " .. luatype(t)) end
			local members, n = {}, 0
			for k, v in pairs(t) do
				if type(k) ~= "string" then argerror(1, "members must be strings") end
				if mtype(v) ~= "integer" or v < 1 or v > 0xffffffff then argerror(1, "flags must be integers in [1, 2^32)") end
				members[k] = v
				n = n + 1
			end
			return setmetatable({ __members = members, __n = n }, label_mt)
		end,
	}
end

--- The module loaders for one runtime: name -> function returning the module.
function E.modules(rt, profile)
	local v36 = profile == "lunatik-3.6"
	local m = {}
	if v36 then
		m.netfilter = function()
			return {
				register = netfilter_register(rt, "netfilter.register"),
				family = copy(family), inet_hooks = copy(inet_hooks), bridge_hooks = copy(br_hooks),
				arp_hooks = copy(arp_hooks), netdev_hooks = copy(netdev_hooks),
				ip_priority = copy(ip_pri), bridge_priority = copy(br_pri),
				action = { DROP = 0, ACCEPT = 1, STOLEN = 2, QUEUE = 3, REPEAT = 4, STOP = 5, CONTINUE = 0xFFFFFFFF, RETURN = -5 },
			}
		end
		m.linux = byteorder_functions
	else
		m.netfilter = function() return { register = netfilter_register(rt, "netfilter.register") } end
		m["linux.nf"] = function()
			return {
				proto = copy(family), inet = { PRE_ROUTING = 0, LOCAL_IN = 1, FORWARD = 2, LOCAL_OUT = 3, POST_ROUTING = 4, NUMHOOKS = 5, INGRESS = 5 },
				ip = { pri = copy(ip_pri) }, action = copy(nf_action),
				br = { PRE_ROUTING = 0, LOCAL_IN = 1, FORWARD = 2, LOCAL_OUT = 3, POST_ROUTING = 4, BROUTING = 5, pri = copy(br_pri) },
				arp = copy(arp_hooks), netdev = copy(netdev_hooks),
			}
		end
		m["linux.xdp"] = function() return copy(xdp_action) end
		m.byteorder = byteorder_functions
		m.set = set_module
		m.skb = function() return {} end
	end
	m.xdp = function() return xdp_module(rt, v36) end
	m.data = function() return E.data_module(not v36) end
	m.rcu = function() return rcu_module(v36) end
	return m
end

-- Modules Lunatik has that the emulator does not reproduce: requiring one fails with a clear message.
local not_emulated = {
	lunatik = true, thread = true, socket = true, ["socket.inet"] = true, fifo = true, mailbox = true,
	notifier = true, probe = true, device = true, fib = true, crypto = true, completion = true, hid = true,
	signal = true, netlink = true, fsnotify = true, cpu = true, syscall = true, xtable = true, luaxtable = true,
	darken = true, lighten = true, ["linux"] = true,
}

--- require for one runtime: loaded once, cached like package.loaded.
function E.make_require(rt, profile)
	local loaders = E.modules(rt, profile)
	local loaded = {}
	rt.loaded = loaded
	return function(name)
		if type(name) ~= "string" then
			if type(name) == "number" then name = tostring(name)
			else error("bad argument #1 to 'require' (string expected, got " .. luatype(name) .. ")", 2) end
		end
		local m = loaded[name]
		if m ~= nil then return m end
		local loader = loaders[name]
		if loader == nil then
			if not_emulated[name] then error("module '" .. name .. "' is not emulated by lunawall", 2) end
			if sfind(name, ".", 1, true) then
				error("module '" .. name .. "' not found:\n\tno field package.preload['" .. name .. "']\n\tno file '/lib/modules/lua/" .. (sgsub(name, "%.", "/")) .. ".lua'", 2)
			end
			error("luaopen_" .. name .. " not found in kernel symbol table", 2)
		end
		m = loader()
		loaded[name] = m
		return m
	end
end
