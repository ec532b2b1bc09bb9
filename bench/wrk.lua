-- wrk script for bench/run.py: headers from the environment, optional form POSTs, and a summary line.
--
-- BENCH_HEADERS  headers, one "Name: value" per line (cookie, bearer token, user agent)
-- BENCH_METHOD   GET (default) or POST
-- BENCH_FORM     for POST: the url-encoded form; "{n}" is replaced by a number unique to the request
-- The last line printed is "BENCH_RESULT {json}" with latency percentiles (microseconds), the
-- number of requests, status classes and socket errors.

local method = os.getenv("BENCH_METHOD") or "GET"
local form = os.getenv("BENCH_FORM") or ""
local headers = {}
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end
if method == "POST" then
  headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0
  prefix = tostring(thread_id or 0) .. "-" .. tostring(os.time()) .. "-"
end

function request()
  if method == "POST" then
    counter = counter + 1
    local body = form:gsub("{n}", prefix .. counter)
    return wrk.format("POST", nil, headers, body)
  end
  return wrk.format(method, nil, headers, nil)
end

function response(status, hdrs, body)
  if status < 300 then
    s2xx = s2xx + 1
  elseif status < 400 then
    s3xx = s3xx + 1
  elseif status < 500 then
    s4xx = s4xx + 1
  else
    s5xx = s5xx + 1
  end
end

function done(summary, latency, requests)
  local t = { s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(t) do
      t[key] = t[key] + (thread:get(key) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "s2xx": %d, "s3xx": %d, "s4xx": %d, "s5xx": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d, "status_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, t.s2xx, t.s3xx, t.s4xx, t.s5xx,
    e.connect, e.read, e.write, e.timeout, e.status))
end
