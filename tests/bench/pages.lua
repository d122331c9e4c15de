-- wrk script for tests/bench.sh: GETs the paths listed in $BENCH_TARGETS (one
-- "PATH<TAB>COOKIE" line per signed-in contact), cycling through them so the load is spread
-- over every listed contact's session; counts the answers by status and, at the end, prints
-- one machine-readable line:
--   BENCH rps=… p50_ms=… p99_ms=… requests=… unexpected=… socket_errors=… statuses=200:…
-- `unexpected` counts answers other than $BENCH_EXPECT (default 200): a round with any is a
-- failed round, whatever wrk's own summary says.

local threads = {}

function setup(thread)
  thread:set("thread_no", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = os.getenv("BENCH_TARGETS") or error("BENCH_TARGETS is not set")
  expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
  targets = {}
  for line in io.lines(file) do
    local path, cookie = line:match("^(%S+)\t(.+)$")
    if path then
      targets[#targets + 1] = wrk.format("GET", path, { ["Cookie"] = cookie })
    end
  end
  if #targets == 0 then error("no targets in " .. file) end
  -- Each thread starts at its own place in the list.
  next_target = (thread_no * 7919) % #targets + 1
  statuses = {}
  unexpected = 0
end

function request()
  local req = targets[next_target]
  next_target = next_target % #targets + 1
  return req
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= expect then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local all, bad = {}, 0
  for _, t in ipairs(threads) do
    for status, count in pairs(t:get("statuses")) do
      all[status] = (all[status] or 0) + count
    end
    bad = bad + t:get("unexpected")
  end
  local keys = {}
  for status in pairs(all) do keys[#keys + 1] = status end
  table.sort(keys)
  local parts = {}
  for _, status in ipairs(keys) do parts[#parts + 1] = status .. ":" .. all[status] end
  local e = summary.errors
  io.write(string.format(
    "BENCH rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d unexpected=%d socket_errors=%d statuses=%s\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, bad, e.connect + e.read + e.write + e.timeout,
    #parts > 0 and table.concat(parts, ",") or "none"))
end
