"""The Redis keys of a crawl queue, and the Lua scripts that move requests between them
atomically (push, pop, reap, release, renew): the data layout :mod:`crawler.distributed`
describes."""

from __future__ import annotations

import redis

DEFAULT_QUEUE = "portal-archive"


class Keys:
    """The Redis keys of one crawl queue (all under one prefix)."""

    def __init__(self, prefix: str = DEFAULT_QUEUE) -> None:
        self.prefix = prefix
        self.seeds = f"{prefix}:seeds"          # list of JSON seeds not yet taken
        self.sites = f"{prefix}:sites"          # hash: site -> JSON definition
        self.active = f"{prefix}:active"        # set: sites leased or with queued requests
        self.workers = f"{prefix}:workers"      # set: worker ids that registered
        self.seq = f"{prefix}:seq"              # counter ordering pushed requests
        self.dupefilter = f"{prefix}:dupefilter"

    def queue(self, site: str) -> str:
        return f"{self.prefix}:queue:{site}"

    def scheduled(self, site: str) -> str:
        return f"{self.prefix}:scheduled:{site}"

    def lease(self, site: str) -> str:
        return f"{self.prefix}:lease:{site}"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    def inflight(self, worker: str) -> str:
        return f"{self.prefix}:inflight:{worker}"

    def seeding(self, worker: str) -> str:
        return f"{self.prefix}:seeding:{worker}"


# A queued request is the ZSET member "<id>\n<pickled request>", scored -priority; ids count down
# so that among equal priorities the newest comes first (Scrapy's default LIFO order).
# The push also records what marks the request as scheduled, its fingerprint in the duplicates
# filter and its article key (ARGV[5], ARGV[6]; '' for none), so that whatever Redis knows as
# scheduled is in the queue: a worker killed between finding a link and pushing its request
# leaves no mark, and the worker that takes the site over schedules the link again.
_PUSH = """
local n = redis.call('INCR', KEYS[4])
local id = string.format('%015d', 999999999999999 - n)
redis.call('ZADD', KEYS[1], ARGV[1], id .. '\\n' .. ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[3], ARGV[4]) end
if ARGV[5] ~= '' then redis.call('SADD', KEYS[5], ARGV[5]) end
if ARGV[6] ~= '' then redis.call('SADD', KEYS[6], ARGV[6]) end
return id
"""

# In flight, a request is kept as "<score> <site>\n<pickled request>" under its id.
_POP = """
local got = redis.call('ZPOPMIN', KEYS[1])
if #got == 0 then return false end
local member, score = got[1], got[2]
local nl = string.find(member, '\\n', 1, true)
local id = string.sub(member, 1, nl - 1)
redis.call('HSET', KEYS[2], id, score .. ' ' .. ARGV[1] .. '\\n' .. string.sub(member, nl + 1))
return member
"""

_REAP = """
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local v = entries[i + 1]
  local nl = string.find(v, '\\n', 1, true)
  local head = string.sub(v, 1, nl - 1)
  local sp = string.find(head, ' ', 1, true)
  local site = string.sub(head, sp + 1)
  redis.call('ZADD', ARGV[1] .. ':queue:' .. site, string.sub(head, 1, sp - 1),
             entries[i] .. '\\n' .. string.sub(v, nl + 1))
  redis.call('SADD', KEYS[4], site)
end
redis.call('DEL', KEYS[1])
local seeds = 0
while redis.call('LMOVE', KEYS[2], KEYS[3], 'RIGHT', 'LEFT') do seeds = seeds + 1 end
redis.call('SREM', KEYS[5], ARGV[2])
return {#entries / 2, seeds}
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[2])
return 1
"""

_RENEW = """
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
  else
    table.insert(lost, i)
  end
end
return lost
"""


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10,
                                retry_on_timeout=True)
