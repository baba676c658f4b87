-- The request mix of the load benchmark, for wrk (LuaJIT). bench/load.py writes a prelude
-- in front of this file that defines:
--   MIX        the kinds of 100 requests, in the order sent (70 pages, 15 reactions and
--              comments, 10 survey answers, 5 sign-ins)
--   PAGES      kind -> path of the five public pages
--   POSTERS    signed-in sessions { cookie, token } that comment and react
--   ANSWERERS  signed-in sessions that answer the survey, each once
--   SIGNERS    visitor sessions on the sign-in page { cookie, token, email }
--   ENDORSABLE comment ids; COMMENT_PATH, ENDORSE_PATH (with %d), ANSWER_PATH
--   COMMENT_BODY, ANSWER_BODY, SIGNIN_BODY: form bodies with __CSRF__, __N__, __EMAIL__
--   REFERER    a page of the site under test
--   ANSWER_START first ANSWERERS entry not used by an earlier step; OUT: the report file
-- Each thread has one connection (bench/load.py runs -t N -c N), so the time from request()
-- to response() is that request's latency, queueing in the server included; each response
-- is recorded with its kind and status.

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local threads = {}
local started = 0
function setup(thread)
  thread:set("thread_index", started)
  started = started + 1
  table.insert(threads, thread)
end

function init(args)
  position = (thread_index * 37) % #MIX
  sent = 0            -- requests of this thread, all kinds: numbers comments and reactions
  answers = 0         -- survey answers of this thread
  pending_kind = nil
  pending_start = 0
  records = {}
end

local function address()
  -- One address per request, as many visitors behind the proxy would have.
  local n = sent * 64 + thread_index
  return string.format("10.%d.%d.%d", 1 + (n / 65536) % 200, (n / 256) % 256, n % 256)
end

local function headers(cookie, form)
  local h = { ["X-Forwarded-Proto"] = "https", ["X-Forwarded-For"] = address() }
  if cookie then h["Cookie"] = cookie end
  if form then
    h["Content-Type"] = "application/x-www-form-urlencoded"
    h["Referer"] = REFERER  -- Flask-WTF checks, over HTTPS, that a form comes from the same site
  end
  return h
end

local function global_index(n)
  return thread_index + n * NTHREADS
end

function request()
  local kind = MIX[position + 1]
  position = (position + 1) % #MIX
  sent = sent + 1
  pending_kind = kind
  pending_start = now_us()
  local g = global_index(sent)
  if PAGES[kind] then
    return wrk.format("GET", PAGES[kind], headers(nil, false))
  elseif kind == "comment" then
    local who = POSTERS[(g % #POSTERS) + 1]
    local body = COMMENT_BODY:gsub("__CSRF__", who.token):gsub("__N__", tostring(g))
    return wrk.format("POST", COMMENT_PATH, headers(who.cookie, true), body)
  elseif kind == "reaction" then
    local who = POSTERS[(g % #POSTERS) + 1]
    local target = ENDORSABLE[(math.floor(g / #POSTERS) % #ENDORSABLE) + 1]
    local body = ("csrf_token=" .. who.token)
    return wrk.format("POST", string.format(ENDORSE_PATH, target), headers(who.cookie, true), body)
  elseif kind == "answer" then
    local index = ANSWER_START + thread_index + answers * NTHREADS
    answers = answers + 1
    local who = ANSWERERS[(index % #ANSWERERS) + 1]
    local body = ANSWER_BODY:gsub("__CSRF__", who.token)
    return wrk.format("POST", ANSWER_PATH, headers(who.cookie, true), body)
  else -- signin
    local who = SIGNERS[(g % #SIGNERS) + 1]
    local body = SIGNIN_BODY:gsub("__CSRF__", who.token):gsub("__EMAIL__", who.email)
    return wrk.format("POST", "/connexion", headers(who.cookie, true), body)
  end
end

function response(status, hdrs, body)
  if pending_kind then
    table.insert(records, string.format("%s %d %d", pending_kind, status, now_us() - pending_start))
    pending_kind = nil
  end
end

function done(summary, latency, requests)
  local out = io.open(OUT, "w")
  for _, thread in ipairs(threads) do
    local recs = thread:get("records")
    for _, line in ipairs(recs) do out:write(line, "\n") end
    out:write(string.format("answers %d %d\n", thread:get("thread_index"), thread:get("answers")))
  end
  local e = summary.errors
  out:write(string.format("summary %d %d %d %d %d %d %d\n", summary.duration, summary.requests,
    e.connect, e.read, e.write, e.status, e.timeout))
  out:close()
end
