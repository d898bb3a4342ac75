-- The clients of serveload's load, for wrk (https://github.com/wg/wrk):
-- operators reading their own findings a page at a time (with and without
-- filters) and their history. wrk keeps one Lua state per thread, not per
-- connection, and cannot tell which request a response answers, so the
-- clients cannot follow cursors themselves: serveload walks the pages
-- first and writes them, before this script, as the table `cf.paths`
-- ({token, path, weight}), each weighted by how often its own clients
-- read it (history one visit in five; a findings visit reads 1 to 4
-- pages).

local cum, total = {}, 0

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed)
  for i, p in ipairs(cf.paths) do
    total = total + p[3]
    cum[i] = total
  end
end

function request()
  local x = math.random() * total
  local lo, hi = 1, #cum
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cum[mid] < x then lo = mid + 1 else hi = mid end
  end
  local p = cf.paths[lo]
  return wrk.format("GET", p[2], { ["Authorization"] = "Bearer " .. p[1] })
end

function done(summary, latency, requests)
  io.write(string.format("CFRESULT requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50us=%d p90us=%d p99us=%d maxus=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
