-- Template for wrk: send prepared HTTP requests (method, path, headers, body).
--
-- bench/harness.py copies this file into a temporary directory, after a generated
-- prelude that defines the requests, for instance a form POST with a session cookie:
--
--   REQUESTS = {
--     { method = "POST", path = "/connexion",
--       headers = { ["Cookie"] = "session=eyJ...",
--                   ["Content-Type"] = "application/x-www-form-urlencoded" },
--       body = "email=x%40example.test&password=...&csrf_token=IjU..." },
--     -- one entry per session when the scenario asks for several
--   }
--
-- Every request is formatted once, at start-up; each connection then cycles through
-- them (one entry: the same request every time, as cheap as wrk's static request).
-- Each wrk thread starts at a different entry, so several sessions are spread out.

local formatted = {}
local count = 0
local position = 0

local started = 0
function setup(thread)
  thread:set("thread_index", started)
  started = started + 1
end

function init(args)
  for k, r in ipairs(REQUESTS) do
    local headers = {}
    for name, value in pairs(r.headers or {}) do
      headers[name] = value
    end
    formatted[k] = wrk.format(r.method, r.path, headers, r.body)
  end
  count = #formatted
  stride = STRIDE or 1
  -- 0-based; thread k sends START + k, START + k + STRIDE, ... (START: past the warm-up's)
  position = ((START or 0) + (thread_index or 0)) % count
end

function request()
  local r = formatted[position + 1]
  position = (position + stride) % count
  return r
end
