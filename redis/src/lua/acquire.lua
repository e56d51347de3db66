
-- acquire: may a call go now? ScopeState::admit over the shared state.
-- KEYS[1] the scope's state, KEYS[2] its reservations (a sorted set of tickets by expiry),
-- KEYS[3..6] per quota, the reservations that do not count against it, KEYS[7] and KEYS[8]
-- the send times of its learned period and of the one before
-- ARGV: ticket, first (1/0), retrying (1/0), paced (1/0), reads_quota (1/0), cap (us),
--       reservation lifetime (us), the quotas the request counts against (QuotaSet's bits)
-- Returns {0} go, {1, wait (us), pause (0 hold, 1 stated, 2 learned), status, hold left (us)},
-- {2} refuse.
local now = clock()
local state, out_key = KEYS[1], KEYS[2]
TIMES, PREV = KEYS[7], KEYS[8]
local ticket = ARGV[1]
local first, retrying = ARGV[2] == '1', ARGV[3] == '1'
local paced, reads_quota = ARGV[4] == '1', ARGV[5] == '1'
local cap, lifetime = tonumber(ARGV[6]), tonumber(ARGV[7])
local bits = tonumber(ARGV[8]) or ALL

redis.call('ZREMRANGEBYSCORE', out_key, '-inf', now)
local out = redis.call('ZCARD', out_key)
local s = load(state)
-- per quota, the reservations out that do not count against it (read only once there are any)
local excluded = { [0] = 0, 0, 0, 0 }
if s.xm == 1 then
  local any = false
  for i = 0, MAX_QUOTAS - 1 do
    redis.call('ZREMRANGEBYSCORE', KEYS[3 + i], '-inf', now)
    excluded[i] = redis.call('ZCARD', KEYS[3 + i])
    if excluded[i] > 0 then any = true end
  end
  if not any and bits == ALL then s.xm = nil end
end

local function go()
  sent(s, now, retrying)
  if bits ~= ALL then s.xm = 1 end
  save(state, s, now)
  redis.call('ZADD', out_key, now + lifetime, ticket)
  local latest = redis.call('ZRANGE', out_key, -1, -1, 'WITHSCORES')
  local ttl = math.ceil((tonumber(latest[2]) - now) / 1000) + 1000
  redis.call('PEXPIRE', out_key, ttl)
  if bits ~= ALL then
    for i = 0, MAX_QUOTAS - 1 do
      if not has(bits, i) then
        redis.call('ZADD', KEYS[3 + i], now + lifetime, ticket)
        redis.call('PEXPIRE', KEYS[3 + i], ttl)
      end
    end
  end
  return { 0 }
end

if s.hu and s.hu > now then
  local left = math.min(s.hu - now, math.max(cap, 1))
  return { 1, left, 0, s.hs or 0, s.hu - now }
end

if paced then
  local entry, wait = enter_all(s, now, out, excluded, bits, reads_quota, cap)
  if entry == 'wait' then
    save(state, s, now)
    return { 1, wait, 1, 0 }
  elseif entry == 'refuse' then
    save(state, s, now)
    return { 2 }
  end
end

local due = retrying_due(s, now)
if s.w == 1 then
  advance(s, now)
  if paced and first then
    local wait = window_wait(s, now, due)
    if wait then
      save(state, s, now)
      return { 1, wait, 2, 0 }
    end
  end
end
return go()
