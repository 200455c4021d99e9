// Lua scripts of the redis provider. Each is atomic; the assignment scripts touch one key, the origin scripts only
// keys sharing the `{prefix}` hash tag, so all of them run on Redis Cluster too. Key schema: docs/REDIS.md.

/** KEYS[1] assignment; ARGV candidate, ttl ms. {owner, 0} (existing, renewed) or {candidate, 1} (newly set). */
export const CLAIM = `
local owner = redis.call('GET', KEYS[1])
if owner then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {owner, 0}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {ARGV[1], 1}`;

/** KEYS[1] assignment; ARGV expected, candidate, ttl ms. Compare-and-set; the owner after. */
export const REASSIGN = `
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return owner end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return ARGV[2]`;

/** KEYS[1] assignment; ARGV origin, ttl ms. Renews or re-creates, never overrides another owner. */
export const KEEP_ALIVE = `
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** KEYS[1] assignment; ARGV origin. Deletes only the given owner's assignment. */
export const DROP = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS origins, origin-seen; ARGV id, record JSON. Stamped with the Redis clock so replicas' clocks do not matter. */
export const REGISTER = `${NOW}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], now)
return 1`;

/** KEYS probe-down; ARGV id, '1' to mark (or renew) down, '0' to clear. */
export const PROBE = `${NOW}
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], ARGV[1], now) else redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;

/**
 * KEYS origins, origin-seen, probe-down; ARGV forget ms, probe-down ttl ms. Returns {record, age, record, age...}
 * and the ids marked down; forgets what is older than its limit on the way.
 */
export const SNAPSHOT = `${NOW}
local origins = {}
local seen = redis.call('HGETALL', KEYS[2])
for i = 1, #seen, 2 do
  local age = now - tonumber(seen[i + 1])
  local record = redis.call('HGET', KEYS[1], seen[i])
  if age > tonumber(ARGV[1]) or not record then
    redis.call('HDEL', KEYS[1], seen[i])
    redis.call('HDEL', KEYS[2], seen[i])
  else
    table.insert(origins, record)
    table.insert(origins, tostring(age))
  end
end
local down = {}
local marks = redis.call('HGETALL', KEYS[3])
for i = 1, #marks, 2 do
  if now - tonumber(marks[i + 1]) > tonumber(ARGV[2]) then
    redis.call('HDEL', KEYS[3], marks[i])
  else
    table.insert(down, marks[i])
  end
end
return {origins, down}`;
