-- Runs a script's top level once, as `lunatik run` does, against stand-ins for the kernel modules.
-- Prints the load error (if any) like the kernel: "<path>:<line>: <message>"; prints nothing on success.
local path, major = arg[1], tonumber(arg[2])

-- Modules the kernel offers per major version (lunatik.md §0.2, §10: 3.6 has no set/skb/byteorder).
local available = major >= 4
  and { netfilter = true, xdp = true, ["linux.nf"] = true, ["linux.xdp"] = true, byteorder = true,
        skb = true, set = true, rcu = true, data = true, linux = true, net = true, lunatik = true }
  or { netfilter = true, xdp = true, rcu = true, data = true, linux = true, lunatik = true }

-- Any field, call or arithmetic on a module value yields another such value: the top level of a
-- script only wires things up, and the hooks themselves never run here.
local any
local function self() return any end
any = setmetatable({}, {
  __index = self, __call = self, __add = self, __sub = self, __mul = self, __div = self,
  __mod = self, __idiv = self, __band = self, __bor = self, __bxor = self, __shl = self,
  __shr = self, __unm = self, __bnot = self, __len = function() return 0 end,
  __concat = function() return "" end, __lt = function() return false end,
  __le = function() return false end,
})

local env = setmetatable({}, { __index = _G })
env.io, env.os = nil, nil
env.require = function(name)
  if available[name] then return any end
  -- Raised by C code, so the message carries no position (luaL_error at a C level).
  if name:find("%.") then error("module '" .. name .. "' not found", 0) end
  error("luaopen_" .. name .. " not found in kernel symbol table", 0)
end

local chunk, err = loadfile(path, "t", env)
if not chunk then
  print(err)
  return
end
local ok, msg = pcall(chunk)
if not ok then print(tostring(msg)) end
