-- GET a random path from a file of paths (one per line); optional extra Cookie header.
-- wrk -s get.lua http://127.0.0.1:PORT -- paths.txt [cookie]
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
require("common")

function init(args)
   init_counters()
   paths = load_lines(args[1])
   cookie = args[2]
end

function request()
   local ip = client_ip()
   local headers = {["X-Forwarded-For"] = ip, ["X-Real-IP"] = ip}
   if cookie and #cookie > 0 then headers["Cookie"] = cookie end
   return wrk.format("GET", paths[math.random(#paths)], headers)
end

response = count_response
