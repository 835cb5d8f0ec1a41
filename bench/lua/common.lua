-- Shared by the wrk scripts: per-thread status counters, a JSON summary in done().
-- Each thread draws from its own random stream, and every request comes
-- from a random client address (X-Forwarded-For / X-Real-IP), as it would through
-- a reverse proxy with many phones behind it: per-IP throttles see many clients.

local threads = {}
local next_id = 1

function setup(thread)
   thread:set("id", next_id)
   table.insert(threads, thread)
   next_id = next_id + 1
end

function load_lines(path)
   local lines = {}
   for line in io.lines(path) do
      if #line > 0 then lines[#lines + 1] = line end
   end
   if #lines == 0 then error("no lines in " .. path) end
   return lines
end

function client_ip()
   return string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
end

function count_response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   body_bytes = body_bytes + #body
   responses = responses + 1
end

function init_counters()
   statuses = {}
   body_bytes = 0
   responses = 0
   -- A new stream per run: the warm-up and the measured run must not repeat
   -- the same devices (the rating cooldown would turn them away).
   math.randomseed(os.time() * 7919 + id * 104729 + math.floor(os.clock() * 1e6))
end

local function json_table(t)
   local parts = {}
   for k, v in pairs(t) do parts[#parts + 1] = string.format('"%s": %d', tostring(k), v) end
   return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
   local all, bytes, count = {}, 0, 0
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do all[status] = (all[status] or 0) + n end
      bytes = bytes + thread:get("body_bytes")
      count = count + thread:get("responses")
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "body_bytes": %d, "responses": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, "statuses": %s}\n',
      summary.requests, summary.duration, summary.bytes, bytes, count,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
      latency.max, latency.mean, json_table(all)))
end
