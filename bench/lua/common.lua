-- Loaded by every scenario script (dofile). Gives each wrk thread its number (global `tid`), prints the run's
-- figures as one JSON line (BENCH_RESULT {...}) for bench/run.sh, and, when BENCH_RATE is set, paces the
-- requests to that total rate (see "p99 at half the saturating rate" in docs/PERFORMANCE.md).
local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

-- A unique create body: the run's tag, the thread and a per-thread counter make every id new.
local creates = 0
local json_headers = { ["Content-Type"] = "application/json" }
function create_request()
   creates = creates + 1
   local id = (os.getenv("BENCH_TAG") or "bench") .. "-" .. tid .. "-" .. creates
   return wrk.format("POST", "/api/v1/attendance/create", json_headers,
      '{"id":"' .. id .. '","name":"Bench Employee","status":"Present","date":"2023-01-31"}')
end

local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate and rate > 0 then
   local ffi = require("ffi")
   ffi.cdef [[
      typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
      int clock_gettime(int clock_id, bench_timespec *tp);
   ]]
   local ts = ffi.new("bench_timespec")
   local function now_ms()
      ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
      return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
   end
   -- Each thread hands out send slots at rate / threads; a connection that is free waits for the next slot.
   -- A slot already past is not made up with a burst: the achieved rate shows any shortfall.
   local interval = 1000 * tonumber(os.getenv("BENCH_THREADS") or "1") / rate
   local next_slot
   function delay()
      local now = now_ms()
      if next_slot == nil or next_slot < now then
         next_slot = now
      end
      local wait = next_slot - now
      next_slot = next_slot + interval
      return math.floor(wait + 0.5)
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   local seconds = summary.duration / 1e6
   io.write(string.format('BENCH_RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"bytes":%d,"bytes_per_s":%.1f,'
      .. '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"errors":%d,"non_2xx":%d,'
      .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
      summary.requests, seconds, summary.requests / seconds, summary.bytes, summary.bytes / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      e.connect + e.read + e.write + e.status + e.timeout, e.status, e.connect, e.read, e.write, e.timeout))
end
