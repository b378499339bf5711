-- bench/installs.lua: wrk sends each install report of a file written by
-- bench/installgen once (args: FILE THREADS); thread k sends the reports
-- whose index is k modulo THREADS, then starts over (those come back 409).
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  local f = assert(io.open(args[1], "rb"))
  local data = f:read("*a")
  f:close()
  local n = tonumber(args[2])
  reports = {}
  local pos, i = 1, 0
  while pos + 1 <= #data do
    local len = data:byte(pos) * 256 + data:byte(pos + 1)
    if i % n == id then reports[#reports + 1] = data:sub(pos + 2, pos + 1 + len) end
    pos = pos + 2 + len
    i = i + 1
  end
  nexti = 0
  headers = { ["Content-Type"] = "application/cose" }
end
function request()
  nexti = nexti % #reports + 1
  return wrk.format("POST", "/v1/installs", headers, reports[nexti])
end
