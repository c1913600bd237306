-- wrk script: POST / with a JSON post and the write token (env FOURDOLLAR_TOKEN).
-- Titles are unique per thread and request. With env POST_LIMIT > 0 each thread stops after
-- that many responses (used to seed a store); without it, it posts until wrk's duration ends.
local token = os.getenv("FOURDOLLAR_TOKEN") or ""
local limit = tonumber(os.getenv("POST_LIMIT") or "0")
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
end

local sent = 0
local body_text = string.rep("A few honest words about a small server. ", 5)

function request()
  sent = sent + 1
  local title = string.format("bench %d-%d-%d", os.time(), thread_id or 0, sent)
  local body = string.format('{"title":"%s","body":"%s"}', title, body_text)
  return wrk.format("POST", "/", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

if limit > 0 then
  local received = 0
  function response(status, headers, body)
    received = received + 1
    if received >= limit then
      wrk.thread:stop()
    end
  end
end
