-- wrk script: GET /<id> for ids drawn uniformly from env POST_ID_MIN..POST_ID_MAX.
local id_min = tonumber(os.getenv("POST_ID_MIN") or "1")
local id_max = tonumber(os.getenv("POST_ID_MAX") or "1000")
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
end

function init(args)
  math.randomseed(os.time() + (thread_id or 0))
end

function request()
  return wrk.format("GET", "/" .. math.random(id_min, id_max))
end
