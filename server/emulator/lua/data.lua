-- Host side (trusted): Lunatik's `data` object (lib/luadata.c) over a Lua string: 0-based offsets,
-- bounds-checked accesses, multi-byte values in host order (little-endian, as on x86 and ARM routers).
local E = __E
local mtype, tointeger = math.type, math.tointeger
local sbyte, schar, ssub, sunpack, spack, srep = string.byte, string.char, string.sub, string.unpack, string.pack, string.rep
local type, error, setmetatable, tostring, tonumber = type, error, setmetatable, tostring, tonumber
local concat = table.concat

-- luaL_argerror as the kernel prints it: Lunatik calls methods through a wrapper, so the name is '?'.
local function argerror(n, msg)
	error("bad argument #" .. n .. " to '?' (" .. msg .. ")", 0)
end
E.argerror = argerror

-- luaL_checkinteger: integers, and strings holding one.
local function checkint(v, n)
	if mtype(v) == "integer" then return v end
	if type(v) == "string" then
		local x = tonumber(v)
		if mtype(x) == "integer" then return x end
	elseif type(v) == "number" then
		local x = tointeger(v)
		if x then return x end
		argerror(n, "number has no integer representation")
	end
	argerror(n, "number expected, got " .. (v == nil and "nil" or type(v)))
end
E.checkint = checkint

local D = {}
-- __metatable: a script must not reach (and e.g. add __gc to) a metatable the host creates objects with.
local MT = { __index = D, __name = "data", __metatable = false }
E.data_mt = MT

-- A data object: s = backing string, b = where offset 0 sits in s, n = size,
-- w = written bytes (offset -> byte) once anything was written, ro = read-only.
local function new(s, b, n)
	return setmetatable({ s = s, b = b, n = n }, MT)
end
E.data_new = new

--- Points `d` at `n` bytes of `s` from 0-based position `b` (the per-packet reset, no allocation).
function E.data_reset(d, s, b, n)
	d.s, d.b, d.n, d.w = s, b, n, nil
end

function E.data_clear(d)
	d.s, d.b, d.n, d.w = nil, 0, 0, nil
end

local function check(d, o, len)
	if mtype(o) ~= "integer" then o = checkint(o, 2) end
	if o < 0 or len <= 0 or o + len > d.n then argerror(2, "out of bounds") end
	return o
end

local function byte_at(d, o)
	local w = d.w
	if w then
		local v = w[o]
		if v then return v end
	end
	return sbyte(d.s, d.b + o + 1)
end

local function bytes(d, o, len)
	if d.w == nil then return ssub(d.s, d.b + o + 1, d.b + o + len) end
	local t = {}
	for i = 0, len - 1 do t[i + 1] = schar(byte_at(d, o + i)) end
	return concat(t)
end

-- The per-packet hot path: checks inlined, one C call for the read. `o // 1 ~= o` sends anything
-- but an integral number (and nil, which `//` would reject with another message) to checkint.
local function getter(fmt, len)
	return function(d, o)
		if o == nil or o // 1 ~= o then o = checkint(o, 2) end
		if o < 0 or o + len > d.n then argerror(2, "out of bounds") end
		if d.w then return (sunpack(fmt, bytes(d, o, len))) end
		return (sunpack(fmt, d.s, d.b + o + 1))
	end
end

local function setter(fmt, len)
	return function(d, o, v)
		o = check(d, o, len)
		if d.ro then argerror(1, "read only") end
		v = checkint(v, 3)
		-- C casts to the field's width: keep the low bits.
		local s = spack("<i8", v)
		local w = d.w or {}
		d.w = w
		for i = 0, len - 1 do w[o + i] = sbyte(s, i + 1) end
	end
end

D.getuint8 = function(d, o)
	if o == nil or o // 1 ~= o then o = checkint(o, 2) end
	if o < 0 or o >= d.n then argerror(2, "out of bounds") end
	if d.w then return byte_at(d, o) end
	return sbyte(d.s, d.b + o + 1)
end
D.getint8 = function(d, o)
	local v = D.getuint8(d, o)
	return v >= 128 and v - 256 or v
end
D.getbyte = D.getuint8
D.getuint16, D.getint16 = getter("<I2", 2), getter("<i2", 2)
D.getuint32, D.getint32 = getter("<I4", 4), getter("<i4", 4)
D.getint64 = getter("<i8", 8)
D.getnumber = D.getint64
D.setuint8, D.setint8 = setter("<I1", 1), setter("<i1", 1)
D.setbyte = D.setuint8
D.setuint16, D.setint16 = setter("<I2", 2), setter("<i2", 2)
D.setuint32, D.setint32 = setter("<I4", 4), setter("<i4", 4)
D.setint64 = setter("<i8", 8)
D.setnumber = D.setint64

function D.getstring(d, o, len)
	if mtype(o) ~= "integer" then o = checkint(o, 2) end
	if len == nil then len = d.n - o else len = checkint(len, 3) end
	o = check(d, o, len)
	return bytes(d, o, len)
end

function D.setstring(d, o, s)
	if type(s) ~= "string" then
		if type(s) == "number" then s = tostring(s) else argerror(3, "string expected, got " .. type(s)) end
	end
	o = check(d, o, #s)
	if d.ro then argerror(1, "read only") end
	local w = d.w or {}
	d.w = w
	for i = 1, #s do w[o + i - 1] = sbyte(s, i) end
end

MT.__len = function(d) return d.n end
MT.__tostring = function(d)
	if d.n == 0 then return "" end
	return bytes(d, 0, d.n)
end

--- The `data` module: data.new(size [, mode]) gives a zeroed, writable buffer.
function E.data_module(with_mode)
	return {
		new = function(size, mode)
			size = checkint(size, 1)
			if size < 0 then argerror(1, "out of bounds") end
			if with_mode and mode ~= nil and mode ~= "shared" and mode ~= "single" then
				argerror(2, "invalid option '" .. tostring(mode) .. "'")
			end
			return new(srep("\0", size), 0, size)
		end,
	}
end
