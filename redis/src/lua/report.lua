
-- report: what an attempt's answer taught. ScopeState::learn over the shared state.
-- KEYS[1] the scope's state, KEYS[2] the reservations of the scope the ticket was granted in,
-- KEYS[3..6] per quota, those of them that do not count against it, KEYS[7] and KEYS[8] the
-- send times of the scope's learned period and of the one before
-- ARGV: ticket to release ('' for none), age (us: how long the report waited to be sent),
--       answered (1/0), quota stated (1/0), remaining, reset in (us), limit (-1: none),
--       outcome (0 success, 1 failure, 2 refused, 3 cancelled), hold (us, 0: none), status,
--       rate limited (1/0), retrying (1/0), the quotas the ticket counted against (bits);
--       then for each other quota stated: its index, remaining, reset in (us), limit
local now = clock() - tonumber(ARGV[2])
local state = KEYS[1]
TIMES, PREV = KEYS[7], KEYS[8]
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  local counted = tonumber(ARGV[13]) or ALL
  for i = 0, MAX_QUOTAS - 1 do
    if not has(counted, i) then redis.call('ZREM', KEYS[3 + i], ARGV[1]) end
  end
end
local answered, stated = ARGV[3] == '1', ARGV[4] == '1'
local outcome, hold = tonumber(ARGV[8]), tonumber(ARGV[9])
local retrying = ARGV[12] == '1'
local s = load(state)

if s.hu and s.hu <= now then
  s.hu, s.hs = nil, nil
end
local quotas = {}
local function limit_of(arg)
  local limit = tonumber(arg)
  if limit < 0 then return nil end
  return limit
end
if stated then
  quotas[0] = { remaining = tonumber(ARGV[5]), reset_in = tonumber(ARGV[6]),
    limit = limit_of(ARGV[7]) }
end
for at = 14, #ARGV - 3, 4 do
  local i = tonumber(ARGV[at])
  if i and i > 0 and i < MAX_QUOTAS then
    quotas[i] = { remaining = tonumber(ARGV[at + 1]), reset_in = tonumber(ARGV[at + 2]),
      limit = limit_of(ARGV[at + 3]) }
    stated = true
  end
end
if answered or stated then
  answer_all(s, now, quotas)
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
