-- Bench harness for Debian lua5.4: just enough of Lunatik 4's netfilter, linux.nf, byteorder and skb/data
-- to time a compiled hook on packets (not an emulator: no verdict mapping, no budget, no profiles).
-- With arg[4] (the path of kdata.so, built from kdata.c) reads and byte swaps are C calls, as in the
-- kernel; without it they are Lua functions, which makes every header read several times dearer.
local script, packets, rounds, kdata_path = arg[1], arg[2], tonumber(arg[3]), arg[4]
local kdata = kdata_path and package.loadlib(kdata_path, "luaopen_kdata")()
local byte, sub = string.byte, string.sub

local hook
package.preload["netfilter"] = function()
	return { register = function(t) hook = hook or t.hook end }
end
package.preload["linux.nf"] = function()
	return {
		action = { DROP = 0, ACCEPT = 1 },
		proto = { INET = 1, IPV4 = 2, IPV6 = 10 },
		inet = { PRE_ROUTING = 0, LOCAL_IN = 1, FORWARD = 2, LOCAL_OUT = 3, POST_ROUTING = 4 },
	}
end
package.preload["byteorder"] = function()
	if kdata then return { ntoh16 = kdata.ntoh16, ntoh32 = kdata.ntoh32 } end
	return {
		ntoh16 = function(x) return ((x & 0xFF) << 8) | (x >> 8) end,
		ntoh32 = function(x)
			return ((x & 0xFF) << 24) | ((x & 0xFF00) << 8) | ((x >> 8) & 0xFF00) | (x >> 24)
		end,
	}
end

local Data = {}
Data.__index = Data
Data.__len = function(d) return d.n end
local function oob() error("bad argument #2 (out of bounds)") end
function Data:getuint8(o)
	if o < 0 or o >= self.n then oob() end
	return byte(self.s, o + 1)
end
function Data:getuint16(o)
	if o < 0 or o + 2 > self.n then oob() end
	local a, b = byte(self.s, o + 1, o + 2)
	return a | b << 8
end
function Data:getuint32(o)
	if o < 0 or o + 4 > self.n then oob() end
	local a, b, c, e = byte(self.s, o + 1, o + 4)
	return a | b << 8 | c << 16 | e << 24
end
function Data:getstring(o, len)
	if o < 0 or o + len > self.n then oob() end
	return sub(self.s, o + 1, o + len)
end

dofile(script)
local skbs = {}
for line in io.lines(packets) do
	local s = line:gsub("..", function(h) return string.char(tonumber(h, 16)) end)
	if kdata then
		skbs[#skbs + 1] = kdata.skb(kdata.data(s))
	else
		local d = setmetatable({ s = s, n = #s }, Data)
		skbs[#skbs + 1] = { data = function() return d end, ifindex = function() return 0 end }
	end
end
for i = 1, #skbs do hook(skbs[i]) end
local t = os.clock()
for _ = 1, rounds do
	for i = 1, #skbs do hook(skbs[i]) end
end
io.write(string.format("%.1f\n", (os.clock() - t) * 1e9 / (rounds * #skbs)))
