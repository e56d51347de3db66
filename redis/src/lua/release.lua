-- release: a quiet answer (a success or a failure stating no quota): frees the ticket's
-- reservation and marks the scope answered, all that ScopeState::learn does with it here
-- (a past hold is ignored by the next ask, and the learned window's advance happens there
-- to the same effect), for a fraction of report.lua's cost.
-- KEYS[1] the scope's state, KEYS[2] the reservations of the scope the ticket was granted in,
-- KEYS[3..6] per quota, those of them that do not count against it
-- ARGV: ticket to release ('' for none), answered (1/0), the quotas the ticket counted against
--       (QuotaSet's bits)
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  local counted = tonumber(ARGV[3]) or 15
  if counted ~= 15 then
    for i = 0, 3 do
      if math.floor(counted / 2 ^ i) % 2 == 0 then redis.call('ZREM', KEYS[3 + i], ARGV[1]) end
    end
  end
end
if ARGV[2] == '1' and redis.call('HSETNX', KEYS[1], 'ans', 1) == 1
    and redis.call('PTTL', KEYS[1]) < 0 then
  -- a new state: the TTL scope.lua's IDLE gives
  redis.call('PEXPIRE', KEYS[1], 10000)
end
return 0
