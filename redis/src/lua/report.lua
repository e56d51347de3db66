
-- report: what an attempt's answer taught. ScopeState::learn over the shared state.
-- KEYS[1] the scope's state, KEYS[2] the reservations of the scope the ticket was granted in,
-- KEYS[3] and KEYS[4] the send times of the scope's learned period and of the one before
-- ARGV: ticket to release ('' for none), age (us: how long the report waited to be sent),
--       answered (1/0), quota stated (1/0), remaining, reset in (us), limit (-1: none),
--       outcome (0 success, 1 failure, 2 refused, 3 cancelled), hold (us, 0: none), status,
--       rate limited (1/0), retrying (1/0)
local now = clock() - tonumber(ARGV[2])
local state = KEYS[1]
TIMES, PREV = KEYS[3], KEYS[4]
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
end
local answered, stated = ARGV[3] == '1', ARGV[4] == '1'
local outcome, hold = tonumber(ARGV[8]), tonumber(ARGV[9])
local retrying = ARGV[12] == '1'
local s = load(state)

if s.hu and s.hu <= now then
  s.hu, s.hs = nil, nil
end
if answered or stated then
  local quota = nil
  if stated then
    local limit = tonumber(ARGV[7])
    if limit < 0 then limit = nil end
    quota = { remaining = tonumber(ARGV[5]), reset_in = tonumber(ARGV[6]), limit = limit }
  end
  answer(s, now, quota)
end
if outcome == 0 then
  if s.w == 1 then advance(s, now) end
elseif outcome == 2 then
  if hold > 0 then
    local till = now + hold
    if not s.hu or s.hu < till then
      s.hu = till
      local status = tonumber(ARGV[10])
      if status > 0 then s.hs = status else s.hs = nil end
    end
    if ARGV[11] == '1' then refused(s, now, till) end
  end
  if retrying then s.lr = retrying_due(s, now) + 1 end
elseif outcome == 3 then
  if retrying then s.lr = math.max((s.lr or 0) - 1, 0) end
end
save(state, s, now)
return 0
