-- GET of the URL given to wrk, nothing else (health, one cached id, search/all, the ceilings).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
