-- POST a rating to a random station, each from a new device with a valid CSRF pair.
-- wrk -s rate.lua http://127.0.0.1:PORT -- tokens.txt origin
-- A phone that opened the rating page holds a csrftoken cookie and the same
-- secret in the form; Django accepts the 32-character secret as the form value.
-- The device cookie is any random 22-64 character value, new per request, so
-- the per-device cooldown never applies and every 303 is a stored rating.
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
require("common")

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
local scores = {5, 5, 5, 5, 5, 4, 4, 4, 3, 2, 1}

local function random_string(n)
   local chars = {}
   for i = 1, n do
      local k = math.random(#alphabet)
      chars[i] = alphabet:sub(k, k)
   end
   return table.concat(chars)
end

function init(args)
   init_counters()
   tokens = load_lines(args[1])
   origin = args[2]
end

function request()
   local secret = random_string(32)
   local ip = client_ip()
   local headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = "csrftoken=" .. secret .. "; yz_device=" .. random_string(32),
      ["Origin"] = origin,
      ["X-Forwarded-For"] = ip,
      ["X-Real-IP"] = ip,
   }
   local body = "csrfmiddlewaretoken=" .. secret .. "&score=" .. scores[math.random(#scores)]
   return wrk.format("POST", "/r/" .. tokens[math.random(#tokens)] .. "/", headers, body)
end

response = count_response
