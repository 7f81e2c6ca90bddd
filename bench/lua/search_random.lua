-- GET BENCH_PATH followed by a random id in 1..BENCH_ROWS (uncached search, bare Javalin + PK select).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local path = os.getenv("BENCH_PATH") or "/api/v1/attendance/search?id="
local rows = tonumber(os.getenv("BENCH_ROWS") or "100000")

function init(args)
   math.randomseed(os.time() * 100 + tid)
end

function request()
   return wrk.format("GET", path .. math.random(1, rows))
end
