-- Host side (trusted): loads one script and runs its hook per packet the way Lunatik's C code does
-- (luanetfilter_hook_cb / luaxdp_handler): verdict mapping, mark filter, fail-open on error.
local E = __E
local sunpack, type, pcall, error, tostring, pairs, rawget = string.unpack, type, pcall, error, tostring, pairs, rawget
local mtype, concat = math.type, table.concat
local lua_tointeger = E.lua_tointeger
local data_new, data_reset, data_clear = E.data_new, E.data_reset, E.data_clear
local budget_start, budget_exhausted, budget_idle = E.budget_start, E.budget_exhausted, E.budget_idle
local B, IDLE_BUDGET = E.B, E.IDLE_BUDGET
local argerror = E.argerror

local HEADER <const> = 20
local STATUS_OK <const>, STATUS_ERROR <const>, STATUS_BUDGET <const> = 0, 1, 2
local STATUS_MARK <const>, STATUS_NOHOOK <const>, STATUS_FAMILY <const> = 3, 4, 5

local rt = { hooks = {}, xdp = nil, loaded = nil }
local profile, chunkname, call_budget, load_budget
local v36 = false
local env, compiled
local output, output_max = {}, 1000
local last_error = ""

-- lua_tostring on an error object: strings and numbers print, anything else is NULL ("(null)").
local function errstring(e)
	if type(e) == "string" then return e end
	if type(e) == "number" then return tostring(e) end
	return "(null)"
end

local function int32(x)
	x = x & 0xffffffff
	if x >= 0x80000000 then x = x - 0x100000000 end
	return x
end

local function print_to_log(...)
	local n = select("#", ...)
	local parts = {}
	for i = 1, n do parts[i] = tostring((select(i, ...))) end
	if #output < output_max then output[#output + 1] = concat(parts, "\t") end
end

--- Sets up the runtime; called once per engine before __compile.
function __setup(p, name, cbudget, lbudget)
	profile, chunkname, call_budget, load_budget = p, name, math.tointeger(cbudget), math.tointeger(lbudget)
	v36 = profile == "lunatik-3.6"
	env = E.new_env(E.make_require(rt, profile), print_to_log)
	return 0
end

--- Compiles the script (syntax only). Returns 0, or 1 and the error text.
function __compile(src)
	local fn, err = load(src, chunkname, "t", env)
	if not fn then return 1, err end
	compiled = fn
	return 0, ""
end

--- Runs the compiled chunk (the script's top level) under the load budget.
function __exec()
	budget_start(load_budget)
	local ok, err = pcall(compiled)
	local spent = budget_exhausted()
	budget_idle()
	compiled = nil
	if spent then return 2, E.BUDGET_MESSAGE .. " (" .. load_budget .. " instructions at load)" end
	if not ok then return 1, errstring(err) end
	return 0, ""
end

-- The skb objects of Lunatik 4.2+ (lib/luaskb.c): one per registration, valid only during its
-- callback, with one "net" and one "mac" view each. Their state lives outside the object, out of
-- the script's reach.
local skb_mt = { __name = "skb", __metatable = false }
local skbstate = setmetatable({}, { __mode = "k" })
local cur = {}
local function skb_check(s)
	local st = skbstate[s]
	if st == nil or not st.set then argerror(1, "skb is not set") end
	return st
end
local skb_methods = {
	data = function(s, layer)
		local st = skb_check(s)
		if layer == nil or layer == "net" then
			data_reset(st.net, cur.pkt, HEADER + cur.l2len, cur.netlen)
			return st.net
		end
		if layer ~= "mac" then argerror(2, "invalid option '" .. tostring(layer) .. "'") end
		if not cur.mac then argerror(2, "MAC header not set") end
		data_reset(st.mac, cur.pkt, HEADER, cur.l2len + cur.netlen)
		return st.mac
	end,
	ifindex = function(s)
		skb_check(s)
		if cur.ifindex < 0 then return nil end
		return cur.ifindex
	end,
	-- VLAN tags stay in the frame the emulator is given; none is hardware-accelerated.
	vlan = function(s) skb_check(s) return nil end,
	-- No conntrack in the emulator.
	connmark = function(s) skb_check(s) return nil end,
}
for _, name in pairs({ "resize", "checksum", "copy", "forward" }) do
	skb_methods[name] = function(s)
		skb_check(s)
		error("skb:" .. name .. "() is not emulated by lunawall", 0)
	end
end
skb_mt.__index = skb_methods
skb_mt.__len = function(s) skb_check(s) return cur.netlen end

local function new_skb()
	local s = setmetatable({}, skb_mt)
	skbstate[s] = { set = false, net = data_new(nil, 0, 0), mac = data_new(nil, 0, 0) }
	return s, skbstate[s]
end

local buffer_view, arg_view = data_new(nil, 0, 0), data_new(nil, 0, 0)

-- One netfilter hook: returns status, verdict as netfilter takes it, new mark or -1.
local function get_hook(ops) return ops.hook end
local function run_nf(reg)
	local ops = reg.ops
	local hook = rawget(ops, "hook")
	-- lua_getfield honours metamethods, which are the script's code: only then take the slow path.
	if hook == nil and getmetatable(ops) ~= nil then
		local found, h = pcall(get_hook, ops)
		if found then hook = h end
	end
	if type(hook) ~= "function" then return STATUS_ERROR, 1, -1, "operation not defined" end
	local arg, st
	if v36 then
		arg = reg.data
		if cur.mac then data_reset(arg, cur.pkt, HEADER, cur.l2len + cur.netlen)
		else data_reset(arg, cur.pkt, HEADER + cur.l2len, cur.netlen) end
	else
		arg, st = reg.skb, reg.skbst
		st.set = true
	end
	local ok, v, m = pcall(hook, arg)
	if v36 then data_clear(arg)
	else
		st.set = false
		if st.net.s then data_clear(st.net) end
		if st.mac.s then data_clear(st.mac) end
	end
	if not ok then return STATUS_ERROR, 1, -1, errstring(v) end
	local newmark = -1
	if m ~= nil then newmark = lua_tointeger(m) & 0xffffffff end
	-- Fast path for the verdicts generated code returns; anything else as the kernel converts it.
	if v == 1 or v == 0 then return STATUS_OK, v, newmark end
	local ret = int32(lua_tointeger(v))
	if ret < 0 or ret > 5 then ret = 1 end
	return STATUS_OK, ret, newmark
end

local function pf_sees(pf, family)
	return pf == 1 or (pf == 2 and family == 4) or (pf == 10 and family == 6)
end

-- Each registration gets its own buffer object, as luanetfilter_register attaches one.
local function prepare(reg)
	if reg.ready then return end
	reg.ready = true
	if v36 then reg.data = data_new(nil, 0, 0) else reg.skb, reg.skbst = new_skb() end
end

local function dispatch_nf(hooknum, family, mark)
	local status, verdict, outmark, ran, registered = STATUS_NOHOOK, 1, -1, false, false
	local hooks = rt.hooks
	for i = 1, #hooks do
		local reg = hooks[i]
		if reg.hooknum == hooknum then
			registered = true
			if pf_sees(reg.pf, family) then
				if reg.mark ~= mark then
					if not ran then status = STATUS_MARK end
				else
					ran = true
					prepare(reg)
					local s, v, m, err = run_nf(reg)
					if B.exhausted then return STATUS_BUDGET, 1, -1 end
					if s == STATUS_ERROR then
						if status ~= STATUS_ERROR then last_error = err end
						status = STATUS_ERROR
					elseif status ~= STATUS_ERROR then
						status = STATUS_OK
					end
					if m >= 0 then mark, outmark = m, m end
					verdict = v
					-- Anything but ACCEPT ends the traversal (nf_hook_slow).
					if v ~= 1 then break end
				end
			end
		end
	end
	if registered and not ran and status == STATUS_NOHOOK then return STATUS_FAMILY, 1, -1 end
	return status, verdict, outmark
end

local function dispatch_xdp(pkt, framelen)
	local cb = rt.xdp
	if type(cb) ~= "function" then
		last_error = "couldn't find callback"
		return STATUS_NOHOOK, -1, -1
	end
	data_reset(buffer_view, pkt, HEADER, framelen)
	data_reset(arg_view, pkt, 12, 4)
	local ok, v = pcall(cb, buffer_view, arg_view)
	data_clear(buffer_view)
	data_clear(arg_view)
	if B.exhausted then return STATUS_BUDGET, -1, -1 end
	if not ok then
		last_error = errstring(v)
		return STATUS_ERROR, -1, -1
	end
	return STATUS_OK, int32(lua_tointeger(v)), -1
end

--- One packet. Header (little-endian): hook (255 = XDP), flags (1 = MAC header set), family, pad,
--- L2 length, L3 length, ifindex (-1 = none), mark; then the Ethernet frame.
--- Returns status, verdict (netfilter: what netfilter acts on; XDP: the kfunc's result), new mark.
function __dispatch(pkt)
	local head, l2len, netlen, ifindex, mark = sunpack("<I4I4I4i4I4", pkt)
	local hooknum, family = head & 0xff, (head >> 16) & 0xff
	cur.pkt, cur.l2len, cur.netlen, cur.ifindex, cur.mac = pkt, l2len, netlen, ifindex, head & 0x100 ~= 0
	B.remaining = call_budget
	if B.exhausted or not B.armed then budget_start(call_budget) end
	local status, verdict, newmark
	if hooknum == 255 then
		status, verdict, newmark = dispatch_xdp(pkt, #pkt - HEADER)
	else
		status, verdict, newmark = dispatch_nf(hooknum, family, mark)
	end
	if B.exhausted then
		status, newmark = STATUS_BUDGET, -1
		verdict = hooknum == 255 and -1 or 1
		last_error = E.BUDGET_MESSAGE .. " (" .. call_budget .. " instructions per call)"
		budget_idle()
	else
		B.remaining = IDLE_BUDGET
	end
	cur.pkt = nil
	return status, verdict, newmark
end

function __lasterror()
	return last_error
end

-- The entry points below run host code only; each starts a fresh idle budget so that repeated
-- calls between packets never find it spent.

--- The script's global `hits` as "key\tvalue\n" lines (integer values only).
function __counters()
	budget_idle()
	-- rawget: a metatable the script put on its globals must not run here.
	local hits = env and rawget(env, "hits")
	if type(hits) ~= "table" then return "" end
	local out = {}
	for k, v in next, hits do
		if type(k) == "string" and mtype(v) == "integer" then out[#out + 1] = k .. "\t" .. v end
	end
	return concat(out, "\n")
end

--- The integer counters that rose since the previous call (or since load), as "key\tincrease" lines.
local snapshot = {}
function __counters_delta()
	budget_idle()
	local hits = env and rawget(env, "hits")
	if type(hits) ~= "table" then return "" end
	local out = {}
	for k, v in next, hits do
		if type(k) == "string" and mtype(v) == "integer" then
			local was = snapshot[k] or 0
			if v ~= was then
				snapshot[k] = v
				if v > was then out[#out + 1] = k .. "\t" .. (v - was) end
			end
		end
	end
	return concat(out, "\n")
end

function __output()
	budget_idle()
	local s = concat(output, "\n")
	output = {}
	return s
end

function __registered()
	budget_idle()
	local parts = {}
	for i = 1, #rt.hooks do parts[i] = rt.hooks[i].pf .. ":" .. rt.hooks[i].hooknum end
	return concat(parts, ","), rt.xdp and 1 or 0
end
