-- One scope's rate-limit state in a Redis hash, and the algorithm of errspec's `ScopeState`
-- (runtime/src/limits/state.rs, ledger.rs, learned.rs) over it, run atomically by Redis.
-- Times are microseconds on Redis's clock (`TIME`), the one clock of every process; the
-- caller's clocks are never read.
--
-- Fields of the hash (absent: none):
--   hu hs                 the hold: until, status
--   p pr pt pa pl lim ans q
--                         the stated quota: a period (1), its remaining, reset, assumed (1),
--                         longest stated wait; the limit seen; answered (1); calls queued;
--                         quota i of several (i = 1..3) in the same fields suffixed `i`
--                         (`p1`, `pr1`, ...), its `ans` shared (every answer is read for all)
--   xm                    some reservation counted against some quotas only (1): the sets
--                         `x0`..`x3` of those not counted against each quota are read
--   ls lf lh lr           learned: sent since the latest hold, the first of them, the latest
--                         hold's end, refused calls due to retry
--   w wq wb wc wcl wl ws wi wn wr wbr ww wsr
--                         the learned window (w = 1): quota, burst, ceiling, clean quota,
--                         length, start, period index, sent in it, refused (1), burst refused
--                         (1), periods watched, first spaced request refused (1)
-- Beside it, two lists: the send times of the learned window's period (`times`) and of the one
-- before (`prev`), the first MAX_REPLAY of each (Window::times and Window::previous); and per
-- quota i, the reservations out that do not count against it (`xi`, scored by expiry as `out`
-- is).

local SAME_HOLD = 100000    -- two holds ending closer than this are one
local RECHECK = 10000       -- how soon a call looks again at a quota its requests out may spend
local RESET_GRAIN = 1000000 -- two stated resets closer than this may be the same one
local FIRST_CONTACT = 8     -- requests let go before a scope's first answer, reading quotas
local WATCH = 8             -- periods watched closely after the burst fell
local IDLE = 10000000       -- how long a scope's keys outlive its last use, at least
local U32 = 4294967295
local MAX_REPLAY = 256      -- most send times kept per period
local MAX_QUOTAS = 4        -- quotas kept apart in a scope (QuotaSet's bits)
local ALL = 15              -- every quota's bit
local LATE = 1000           -- a timer's resolution: how late a request held for its rank goes

-- The keys of the send-time lists, set by the entry script before anything here runs.
local TIMES, PREV

local FIELDS = { 'hu', 'hs', 'p', 'pr', 'pt', 'pa', 'pl', 'lim', 'ans', 'q', 'ls', 'lf', 'lh',
  'lr', 'w', 'wq', 'wb', 'wc', 'wcl', 'wl', 'ws', 'wi', 'wn', 'wr', 'wbr', 'ww', 'wsr', 'xm' }
-- a ledger's fields (ScopeState::ledgers): quota 0's as named, quota i's suffixed `i`
local LEDGER = { 'p', 'pr', 'pt', 'pa', 'pl', 'lim', 'q' }
for i = 1, MAX_QUOTAS - 1 do
  for _, f in ipairs(LEDGER) do FIELDS[#FIELDS + 1] = f .. i end
end

-- The suffix of quota i's fields.
local function suffix(i)
  if i == 0 then return '' end
  return tostring(i)
end

-- Whether bit i is in a QuotaSet's bits.
local function has(bits, i)
  return math.floor(bits / 2 ^ i) % 2 == 1
end

local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- The state, and what it was when read (`save` writes only what changed).
local read = {}

local function load(key)
  local raw = redis.call('HGETALL', key)
  local s = {}
  for i = 1, #raw, 2 do
    local v = tonumber(raw[i + 1])
    s[raw[i]] = v
    read[raw[i]] = v
  end
  return s
end

-- Writes the state back, and gives the key a TTL: past the latest time a server stated, a
-- period (the longest stated or learned), and at least IDLE after this use.
local function save(key, s, now)
  local set, del, kept = {}, {}, 0
  for _, f in ipairs(FIELDS) do
    local v = s[f]
    if v == nil then
      if read[f] ~= nil then del[#del + 1] = f end
    else
      kept = kept + 1
      if v ~= read[f] then
        -- whole microseconds (a fraction read back differs, and is written again: rare)
        set[#set + 1] = f
        set[#set + 1] = string.format('%.0f', v)
      end
    end
  end
  if kept == 0 then
    redis.call('DEL', key, TIMES, PREV)
    return
  end
  if #del > 0 then
    redis.call('HDEL', key, unpack(del))
  end
  if #set > 0 then
    redis.call('HSET', key, unpack(set))
  end
  local last = now
  if s.hu and s.hu > last then last = s.hu end
  local period = math.max(s.wl or 0, IDLE)
  for i = 0, MAX_QUOTAS - 1 do
    local k = suffix(i)
    if s['p' .. k] == 1 and s['pt' .. k] > last then last = s['pt' .. k] end
    period = math.max(period, s['pl' .. k] or 0)
  end
  if s.w == 1 and s.ws > last then last = s.ws end
  local ms = math.min(math.ceil((last - now + period) / 1000), 2 ^ 40)
  redis.call('PEXPIRE', key, ms)
  if s.w == 1 then
    redis.call('PEXPIRE', TIMES, ms)
    redis.call('PEXPIRE', PREV, ms)
  end
end

local function sat(v)
  if v > U32 then return U32 end
  if v < 0 then return 0 end
  return v
end

-- learned.rs: Learned::retrying
local function retrying_due(s, now)
  if s.lh and now > s.lh + SAME_HOLD then
    s.lr = 0
  end
  return s.lr or 0
end

-- The period's send times become the previous period's (`keep`), or both are forgotten.
local function times_to_previous(keep)
  if keep and redis.call('EXISTS', TIMES) == 1 then
    redis.call('RENAME', TIMES, PREV)
  else
    redis.call('DEL', TIMES, PREV)
  end
end

-- Window::replay: when the request of rank n may go if it is one of the burst
local function replay(s, n)
  if n >= s.wb then return nil end
  local previous = redis.call('LINDEX', PREV, n)
  if not previous then return nil end
  return tonumber(previous) + s.wl
end

-- learned.rs: Window::refused_at (the caller sets the send times)
local function window_at(s, sent, length, start)
  local burst = math.max(sat(sent - 1), 1)
  s.w, s.wq, s.wb, s.wc, s.wcl = 1, burst, burst, sat(burst + 1), burst
  s.wl, s.ws, s.wi, s.wn = length, start, 0, 0
  s.wr, s.wbr, s.ww, s.wsr = 0, 1, 0, 0
end

-- Window::slot: when the nth spaced request of the period may go
local function slot(s, nth)
  local spacing = math.floor(s.wl / math.max(s.wq, 1))
  local spaced = spacing * nth
  if s.wsr == 1 then
    spaced = math.max(spaced - spacing * 0.75, 0)
  end
  return s.ws + s.wl * s.wi + spaced
end

local function next_start(s)
  return s.ws + s.wl * (s.wi + 1)
end

-- Window::grow
local function grow(s)
  local q, c = s.wq, s.wc
  local quarter = math.max(math.floor(q / 4), 1)
  if c and q >= c then
    s.wc = nil
    q = q * 2
  elseif c and q + 1 >= c then
    if q <= s.wb then q = math.max(q * 2, c) else q = c end
  elseif c then
    q = math.min(q + quarter, c - 1)
  else
    q = q * 2
  end
  s.wq = sat(q)
end

-- Window::advance
local function advance(s, now)
  local since = math.max(now - s.ws, 0)
  local index = math.floor(since / math.max(s.wl, 1))
  if index > s.wi then
    times_to_previous(index == s.wi + 1)
    if s.wr ~= 1 and s.wn >= s.wq then
      s.wcl = s.wq
      if s.wq > s.wb then s.wsr = 0 end
      grow(s)
    end
    s.wi, s.wn, s.wr = index, 0, 0
  end
end

-- Window::wait: how long a first attempt waits for its turn (nil: it may go)
local function window_wait(s, now, retrying)
  local sent = s.wn + retrying
  local at
  if sent < s.wb then
    at = nil
  elseif sent < s.wq then
    at = slot(s, sent - s.wb + 1)
  else
    at = next_start(s)
  end
  local ranked = replay(s, sent)
  if ranked and (not at or ranked > at) then at = ranked end
  if at and at > now then return at - now end
  return nil
end

-- Window::refused
local function window_refused(s, again, now, till)
  if again then
    if s.wbr == 1 then
      s.wb = math.max(s.wb - 1, 1)
      s.wq = s.wb
      s.wcl = math.min(s.wcl, s.wb)
      s.wc = s.wb + 1
    end
    return
  end
  if s.wn <= s.wb or now < slot(s, 1) then
    local burst, watch, spaced = s.wb, s.ww, s.wsr
    times_to_previous(true)
    window_at(s, s.wn, s.wl, till)
    if s.wb < burst then s.ww = WATCH else s.ww = watch end
    s.wsr = spaced
    return
  end
  local refused = s.wq
  local first = s.wn <= s.wb + 1
  if first and s.wcl <= s.wb then s.wsr = 1 end
  if s.ww > 0 and s.wcl <= s.wb and first then
    s.ww = s.ww - 1
  else
    local below = math.max(refused - 1, 0)
    s.wq = math.max(math.min(s.wcl, below), math.min(math.max(s.wn - 1, 0), below), s.wb, 1)
  end
  if s.wc then s.wc = math.min(s.wc, refused) else s.wc = refused end
  times_to_previous(true)
  s.ws, s.wi, s.wn = till, 0, 0
  if s.wcl > s.wb then s.wr = 1 else s.wr = 0 end
  s.wbr = 0
end

-- ScopeState::refused: a refusal of the rate limit at now, held until till
local function refused(s, now, till)
  if s.w == 1 then
    window_refused(s, till <= s.ws + SAME_HOLD, now, till)
  elseif s.lh and till <= s.lh + SAME_HOLD then
    return
  elseif s.lf and (s.ls or 0) > 1 then
    local length = math.max(till - s.lf, 0)
    if length > SAME_HOLD then
      times_to_previous(false)
      window_at(s, s.ls, length, till)
    end
  end
  s.lh, s.ls, s.lf = till, 0, nil
end

-- ScopeState::sent
local function sent(s, now, retrying)
  if retrying then s.lr = math.max((s.lr or 0) - 1, 0) end
  s.ls = sat((s.ls or 0) + 1)
  if not s.lf then s.lf = now end
  if s.w == 1 then
    -- Window::sending: a request held back for its rank counts as sent when it could go
    local at = now
    local ranked = replay(s, s.wn)
    if ranked and now > ranked + LATE then at = ranked + LATE end
    s.wn = sat(s.wn + 1)
    if redis.call('LLEN', TIMES) < MAX_REPLAY then
      redis.call('RPUSH', TIMES, string.format('%.0f', at))
    end
  end
end

-- Quota i's ledger, as a table of the unsuffixed fields, and back.
local function ledger_of(s, i)
  local k = suffix(i)
  local l = { ans = s.ans }
  for _, f in ipairs(LEDGER) do l[f] = s[f .. k] end
  return l
end

local function ledger_back(s, i, l)
  local k = suffix(i)
  for _, f in ipairs(LEDGER) do s[f .. k] = l[f] end
  s.ans = l.ans
end

-- Ledger::answer
local function answer(s, now, quota)
  s.ans = 1
  if not quota or quota.reset_in <= 0 then return end
  local reset = now + quota.reset_in
  local seen = quota.limit or (quota.remaining + 1)
  s.lim = math.max(s.lim or 0, seen)
  local live = s.p == 1 and s.pt > now and s.pa ~= 1
  if not live then s.q = 0 end
  if live and reset < s.pt + RESET_GRAIN and s.pt < reset + RESET_GRAIN then
    s.pr = math.min(quota.remaining, s.pr)
    s.pt = math.min(reset, s.pt)
    s.pl = math.max(quota.reset_in, s.pl or 0)
  else
    s.pr, s.pt, s.pl = quota.remaining, reset, quota.reset_in
  end
  s.p, s.pa = 1, 0
end

-- Ledger::enter: 'go', or 'wait' and a wait, or 'refuse'
local function enter(s, now, out, reads_quota, cap)
  if s.p ~= 1 then
    if reads_quota and s.ans ~= 1 and out >= FIRST_CONTACT then
      return 'wait', RECHECK
    end
    return 'go'
  end
  if now >= s.pt then
    if (s.lim or 0) == 0 then
      s.p, s.pr, s.pt, s.pa = nil, nil, nil, nil
      return 'go'
    end
    s.pr, s.pt, s.pa = s.lim, now + RESET_GRAIN, 1
  end
  if s.pr > out then return 'go' end
  local left = math.max(s.pt - now, 0)
  if s.pr > 0 or s.pa == 1 then
    return 'wait', math.max(math.min(left, RECHECK), 1000)
  end
  if left > cap then return 'refuse' end
  local place = s.q or 0
  s.q = place + 1
  local later = 0
  local lim = s.lim or 0
  if lim > 0 then
    local periods = math.floor(place / lim)
    if periods > 0 then later = (s.pl or 0) * periods end
  end
  return 'wait', math.min(left + later, math.max(cap, left))
end

-- ScopeState::learn's answer to every ledger: quotas[i] what quota i stated (nil: nothing).
local function answer_all(s, now, quotas)
  for i = 0, MAX_QUOTAS - 1 do
    local l = ledger_of(s, i)
    answer(l, now, quotas[i])
    ledger_back(s, i, l)
  end
end

-- ScopeState::enter: the ledgers of the quotas in `bits`, each with its own requests out
-- (`out` less those excluded from it, `excluded[i]`): the longest wait, or a refusal.
local function enter_all(s, now, out, excluded, bits, reads_quota, cap)
  local entry, wait = 'go', 0
  for i = 0, MAX_QUOTAS - 1 do
    if has(bits, i) then
      local l = ledger_of(s, i)
      local e, w = enter(l, now, math.max(out - excluded[i], 0), reads_quota, cap)
      ledger_back(s, i, l)
      if e == 'refuse' or entry == 'refuse' then
        entry = 'refuse'
      elseif e == 'wait' then
        entry, wait = 'wait', math.max(wait, w)
      end
    end
  end
  return entry, wait
end
