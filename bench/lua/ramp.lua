-- The ramp after a start: 2xx answers counted per second since the instance's first 200 (BENCH_T0_MS, wall-clock
-- milliseconds, taken by bench/run.sh), so the first windows show how fast a just-started instance serves.
-- BENCH_RAMP picks the request: cached (the URL given to wrk), random (search?id=<1..BENCH_ROWS>), create.
-- Prints one line (BENCH_RAMP_SECONDS windows): BENCH_RAMP {"ok":[per-second counts],"errors":N}.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local ffi = require("ffi")
ffi.cdef [[
   typedef struct { long tv_sec; long tv_nsec; } ramp_timespec;
   int clock_gettime(int clock_id, ramp_timespec *tp);
]]
local ts = ffi.new("ramp_timespec")
local function now_ms()
   ffi.C.clock_gettime(0, ts) -- CLOCK_REALTIME: the same clock as bench/run.sh's EPOCHREALTIME
   return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local t0 = tonumber(os.getenv("BENCH_T0_MS"))
local kind = os.getenv("BENCH_RAMP") or "cached"
local rows = tonumber(os.getenv("BENCH_ROWS") or "100000")
-- wrk runs a little longer than the ramp: the windows after it (the last one cut short) are left out.
local seconds = tonumber(os.getenv("BENCH_RAMP_SECONDS") or "20")

local ramp_threads = {}
local common_setup = setup
function setup(thread)
   common_setup(thread)
   table.insert(ramp_threads, thread)
end

ok = {}
errors = 0

function init(args)
   math.randomseed(os.time() * 100 + tid)
end

function request()
   if kind == "create" then
      return create_request()
   elseif kind == "random" then
      return wrk.format("GET", "/api/v1/attendance/search?id=" .. math.random(1, rows))
   end
   return wrk.format("GET")
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      local second = math.floor((now_ms() - t0) / 1000) + 1
      ok[second] = (ok[second] or 0) + 1
   else
      errors = errors + 1
   end
end

function done(summary, latency, requests)
   local total, last, errs = {}, 0, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout
   for _, thread in ipairs(ramp_threads) do
      local counts = thread:get("ok")
      for second, n in pairs(counts) do
         total[second] = (total[second] or 0) + n
         if second > last then last = second end
      end
      errs = errs + thread:get("errors")
   end
   local out = {}
   for second = 1, math.min(last, seconds) do
      out[second] = tostring(total[second] or 0)
   end
   io.write('BENCH_RAMP {"ok":[' .. table.concat(out, ",") .. '],"errors":' .. errs .. '}\n')
end
