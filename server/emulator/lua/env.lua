-- Host side (trusted): the environment a policy script sees, shaped like Lunatik's kernel Lua:
-- integers only (lunatik.md §5.3, §10), no os/io/debug, a require that serves only the emulated modules.
local E = __E
-- The integer-only lint (lint.ts), set by the runtime as a JS function before the host files load.
E.lint = __lint
__lint = nil
local mtype, tointeger = math.type, math.tointeger
local type, tonumber, error, select, rawget = type, tonumber, error, select, rawget
local sfind, sformat, spack, sunpack, spacksize = string.find, string.format, string.pack, string.unpack, string.packsize
local ssub, sgmatch = string.sub, string.gmatch

-- The kernel's Lua has no floats: a numeral that is not an integer does not convert.
local function int_tonumber(v, base)
	local n
	if base == nil then n = tonumber(v) else n = tonumber(v, base) end
	if n ~= nil and mtype(n) ~= "integer" then return nil end
	return n
end
E.int_tonumber = int_tonumber

-- lua_tointeger as the kernel computes it: integers as they are, numeric strings converted,
-- everything else (nil, booleans, tables, non-integral values) 0.
function E.lua_tointeger(v)
	if mtype(v) == "integer" then return v end
	if type(v) == "string" then
		local n = int_tonumber(v)
		if n then return n end
	end
	if type(v) == "number" then return tointeger(v) or 0 end
	return 0
end

-- string.pack/unpack without the float formats Lunatik removed.
local function check_format(fmt)
	if type(fmt) == "string" then
		local at = sfind(fmt, "[fdn]")
		if at then error(sformat("invalid format option '%s'", ssub(fmt, at, at)), 2) end
	end
end
local function int_pack(fmt, ...) check_format(fmt) return spack(fmt, ...) end
local function int_unpack(fmt, ...) check_format(fmt) return sunpack(fmt, ...) end
local function int_packsize(fmt) check_format(fmt) return spacksize(fmt) end
local function int_format(fmt, ...)
	if type(fmt) == "string" then
		for conv in sgmatch(fmt, "%%[-+ #0]*%d*%.?%d*([aAeEfgG])") do
			error(sformat("invalid conversion '%%%s' to 'format'", conv), 2)
		end
	end
	return sformat(fmt, ...)
end

-- One string library for the whole state: the script's and string methods ("x"):byte() alike.
-- The host keeps its own upvalues of the originals, so the script cannot reach them.
string.pack, string.unpack, string.packsize, string.format = int_pack, int_unpack, int_packsize, int_format
getmetatable("").__index = string
-- Bytecode is useless to a text-only load and not a kernel concern.
string.dump = nil

-- Arithmetic on strings ("10" + 1) goes through the string metatable; keep it integer-only too.
do
	local smt = getmetatable("")
	local function arith(name, op)
		smt[name] = function(a, b)
			local x, y = int_tonumber(a), int_tonumber(b)
			if x == nil or (b ~= nil and y == nil) then
				error(sformat("attempt to perform arithmetic on a %s value", type(x == nil and a or b)), 2)
			end
			return op(x, y)
		end
	end
	arith("__add", function(a, b) return a + b end)
	arith("__sub", function(a, b) return a - b end)
	arith("__mul", function(a, b) return a * b end)
	arith("__mod", function(a, b) return a % b end)
	arith("__idiv", function(a, b) return a // b end)
	arith("__unm", function(a) return -a end)
	smt.__div, smt.__pow = nil, nil
	-- The host's own code could call into a script that rewrote the string metatable: it is shared
	-- state, so scripts see it as protected (getmetatable("") is false).
	smt.__metatable = false
end

local function copy(t)
	local c = {}
	for k, v in pairs(t) do c[k] = v end
	return c
end

--- Builds a fresh global table for one script. `require`, `print` and `collectgarbage` are
--- supplied by the caller (they close over the runtime's module table and output log).
function E.new_env(require, print)
	local env = {
		assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs, pcall = pcall,
		rawequal = rawequal, rawget = rawget, rawlen = rawlen, rawset = rawset, select = select,
		setmetatable = setmetatable, getmetatable = getmetatable, tostring = tostring, type = type,
		xpcall = xpcall, _VERSION = "Lua 5.4",
		tonumber = int_tonumber,
		require = require,
		print = print,
		string = copy(string),
		table = copy(table),
		coroutine = copy(E.coroutine),
		-- §10: math.type is nil and math.maxinteger exists; nothing else is promised.
		math = { maxinteger = math.maxinteger, mininteger = math.mininteger },
	}
	env.collectgarbage = function(opt, ...)
		-- Lunatik's collectgarbage("count") is in bytes, as an integer (lunatik.md §5.1).
		if opt == "count" then return tointeger(collectgarbage("count") * 1024 // 1) end
		return collectgarbage(opt, ...)
	end
	-- load: text only, and the script's own environment unless it passes one.
	-- load: text only, held to the same integer-only lint as the script, in the script's environment
	-- unless it passes one.
	env.load = function(chunk, name, mode, fenv)
		if type(chunk) == "function" then
			local parts = {}
			for piece in chunk do
				if piece == "" then break end
				parts[#parts + 1] = piece
			end
			chunk = table.concat(parts)
		end
		if type(name) == "string" and ssub(name, 1, #E.HOST) == E.HOST then name = "?" .. name end
		local fn, err = load(chunk, name, "t", fenv == nil and env or fenv)
		if fn and type(chunk) == "string" then
			local problem = E.lint(chunk, name or chunk)
			if problem then return nil, problem end
		end
		return fn, err
	end
	-- A message handler for an error raised by the budget hook runs with hooks off (the error
	-- comes from inside the hook): it is skipped once the budget is spent.
	env.xpcall = function(f, msgh, ...)
		return xpcall(f, function(e)
			if E.budget_exhausted() then return e end
			return msgh(e)
		end, ...)
	end
	-- Finalizers also run with hooks off (lgc.c GCTM), so nothing could stop a looping one.
	env.setmetatable = function(t, mt)
		if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
			error("__gc metamethods are not allowed by the lunawall emulator (finalizers run outside the instruction budget)", 2)
		end
		return setmetatable(t, mt)
	end
	env._G = env
	return env
end
