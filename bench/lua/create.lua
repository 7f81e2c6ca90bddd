-- POST create with an id never used before (BENCH_TAG must differ between wrk runs on one database).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")

function request()
   return create_request()
end
