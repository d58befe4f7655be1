-- Host side of the emulator (trusted): the per-call instruction budget, enforced by a count hook.
-- The kernel has no such limit (lunatik.md §5.2): an endless loop locks the router, so here it is a fatal error.
local E = {}
__E = E

local sethook, gethook, getinfo = debug.sethook, debug.gethook, debug.getinfo
local ssub = string.sub
local error = error
local COUNT <const> = 1000

-- Shared with the dispatcher, which reads and resets it per packet without a function call.
-- armed: whether the main thread's hook is set.
local B = { remaining = 0, exhausted = false, armed = false }
E.B = B
E.IDLE_BUDGET = 10000000
E.BUDGET_MESSAGE = "instruction budget exceeded"
-- Chunk names of host code; the script's load() cannot use them (see env.lua).
E.HOST = "=lunawall-host:"
local HOST, HOSTLEN = E.HOST, #E.HOST

-- Runs every COUNT instructions (every instruction once the budget is spent, so that no pcall
-- in the script can swallow the error and keep looping). Host code always finishes.
local function hook()
	if B.exhausted then
		local info = getinfo(2, "S")
		if info and ssub(info.source, 1, HOSTLEN) == HOST then return end
		error(E.BUDGET_MESSAGE, 0)
	end
	local _, _, count = gethook()
	local remaining = B.remaining - count
	B.remaining = remaining
	if count ~= COUNT then sethook(hook, "", COUNT) end
	if remaining <= 0 then
		B.exhausted = true
		sethook(hook, "", 1)
		error(E.BUDGET_MESSAGE, 0)
	end
end

--- Starts a budget of `n` instructions on the calling (main) thread.
function E.budget_start(n)
	B.remaining = n
	if B.exhausted or not B.armed then
		B.exhausted, B.armed = false, true
		sethook(hook, "", COUNT)
	end
end

--- Whether the budget ran out since the last start.
function E.budget_exhausted()
	return B.exhausted
end

--- Ends a budgeted section: host code between calls still runs under a (large) budget.
function E.budget_idle()
	B.remaining = E.IDLE_BUDGET
	if B.exhausted then
		B.exhausted = false
		sethook(hook, "", COUNT)
	end
end

-- Coroutines get their own hook: Lua 5.4 threads do not inherit a Lua-level hook function.
local co_create, co_wrap = coroutine.create, coroutine.wrap
local function hooked(f)
	if type(f) ~= "function" then return f end
	return function(...)
		sethook(hook, "", B.exhausted and 1 or COUNT)
		return f(...)
	end
end

E.coroutine = {
	create = function(f) return co_create(hooked(f)) end,
	wrap = function(f) return co_wrap(hooked(f)) end,
	resume = coroutine.resume,
	yield = coroutine.yield,
	status = coroutine.status,
	running = coroutine.running,
	isyieldable = coroutine.isyieldable,
	close = coroutine.close,
}
