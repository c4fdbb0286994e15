-- wrk script of the load benchmark (bench/load/wrk.py sets the environment it reads).
--
-- BENCH_METHOD, BENCH_PATH, BENCH_HEADERS ("Name: value" lines), BENCH_BODY:
-- the request. With BENCH_TOKENS (a file, one value a line), every request
-- takes the next unused value in place of @TOKEN@ in the body: an
-- authorization code or a refresh token is good for one request only. Each of
-- the BENCH_THREADS threads takes every n-th line, so no value is sent twice.
-- done() prints one line, "BENCH_RESULT {json}": the requests, the latency
-- percentiles, wrk's socket errors, and each status code counted in response().

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local function parse_headers(text)
  local headers = {}
  for line in string.gmatch(text or "", "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name then
      headers[name] = value
    end
  end
  return headers
end

local function read_share(file, count, index)
  local values, n = {}, 0
  for line in io.lines(file) do
    if line ~= "" then
      if n % count == index then
        table.insert(values, line)
      end
      n = n + 1
    end
  end
  return values
end

function init(args)
  statuses = {}
  exhausted = 0
  method = os.getenv("BENCH_METHOD") or "GET"
  path = os.getenv("BENCH_PATH") or "/"
  headers = parse_headers(os.getenv("BENCH_HEADERS"))
  local body = os.getenv("BENCH_BODY")
  if body == "" then
    body = nil
  end
  local file = os.getenv("BENCH_TOKENS") or ""
  if file == "" then
    fixed = wrk.format(method, path, headers, body)
    return
  end
  values = read_share(file, tonumber(os.getenv("BENCH_THREADS")), thread_index)
  position = 1
  local at = string.find(body, "@TOKEN@", 1, true)
  prefix, suffix = string.sub(body, 1, at - 1), string.sub(body, at + 7)
end

function request()
  if fixed then
    return fixed
  end
  local value = values[position]
  if value then
    position = position + 1
  else
    -- Out of values: send one that cannot succeed, and say so in the result.
    exhausted = exhausted + 1
    value = "exhausted"
  end
  return wrk.format(method, path, headers, prefix .. value .. suffix)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts, out_of_values = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
    out_of_values = out_of_values + thread:get("exhausted")
  end
  local statuses_json = {}
  for status, n in pairs(counts) do
    table.insert(statuses_json, string.format('"%d": %d', status, n))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "exhausted": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    errors.connect, errors.read, errors.write, errors.timeout, out_of_values, table.concat(statuses_json, ", ")
  ))
end
