-- 90 % GET search over a hot set of BENCH_HOT ids, 10 % POST create with unique ids.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

local hot = tonumber(os.getenv("BENCH_HOT") or "100")

function init(args)
   math.randomseed(os.time() * 100 + tid)
end

function request()
   if math.random(100) <= 10 then
      return create_request()
   end
   return wrk.format("GET", "/api/v1/attendance/search?id=" .. math.random(1, hot))
end
