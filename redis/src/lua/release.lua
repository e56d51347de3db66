-- release: a quiet answer (a success or a failure stating no quota): frees the ticket's
-- reservation and marks the scope answered, all that ScopeState::learn does with it here
-- (a past hold is ignored by the next ask, and the learned window's advance happens there
-- to the same effect), for a fraction of report.lua's cost.
-- KEYS[1] the scope's state, KEYS[2] the reservations of the scope the ticket was granted in
-- ARGV: ticket to release ('' for none), answered (1/0)
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[1])
end
if ARGV[2] == '1' and redis.call('HSETNX', KEYS[1], 'ans', 1) == 1
    and redis.call('PTTL', KEYS[1]) < 0 then
  -- a new state: the TTL scope.lua's IDLE gives
  redis.call('PEXPIRE', KEYS[1], 10000)
end
return 0
