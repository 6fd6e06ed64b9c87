/**
 * Commits a batch (all in the meta slot): KEYS: checkpoint, lease holder (the checkpoint again when unfenced),
 * clock, ids of actors, topics and meetings, world months, then one subtopic set per parent. ARGV: the batch's
 * position, the checkpoint to store, the fencing token ('' when unfenced), then for the clock, each id set, the
 * months and each subtopic set a count followed by that many arguments (ZADD pairs or SADD members).
 *
 * Refuses ({1, committed}) unless the committed checkpoint is before the batch's; refuses ({2, holder}) unless the
 * lease holder ends with ":<token>" (leader-lease.ts writes "<holderId>:<token>"); else writes it all: {0}.
 *
 * The clock's marks (recordedAt, position), appended in log order, go to buckets of at most 120: sorted sets small
 * enough for Redis to keep packed (a fifth of the memory of one large sorted set). KEYS[3] indexes the buckets: score
 * the first mark's recordedAt, member its position, and the bucket is KEYS[3]:<that position> (the same slot).
 */
export const CHECKPOINT = String.raw`
local stored = redis.call('GET', KEYS[1])
if stored then
  local committed = string.sub(stored, 1, string.find(stored, '|', 1, true) - 1)
  if not before(committed, ARGV[1]) then return {1, stored} end
end
if ARGV[3] ~= '' then
  local holder = redis.call('GET', KEYS[2])
  local suffix = ':' .. ARGV[3]
  if (not holder) or string.sub(holder, -#suffix) ~= suffix then return {2, holder or ''} end
end
local at = 4
local function section(command, key)
  local n = tonumber(ARGV[at])
  local from, to = at + 1, at + n
  at = to + 1
  for s = from, to, 1000 do
    redis.call(command, key, unpack(ARGV, s, math.min(to, s + 999)))
  end
end
local marks = tonumber(ARGV[at])
local bucket = redis.call('ZREVRANGE', KEYS[3], 0, 0)[1]
local size = 0
if bucket then size = redis.call('ZCARD', KEYS[3] .. ':' .. bucket) end
for i = at + 1, at + marks, 2 do
  if (not bucket) or size >= 120 then
    bucket = ARGV[i + 1]
    size = 0
    redis.call('ZADD', KEYS[3], ARGV[i], bucket)
  end
  redis.call('ZADD', KEYS[3] .. ':' .. bucket, ARGV[i], ARGV[i + 1])
  size = size + 1
end
at = at + marks + 1
section('SADD', KEYS[4])
section('SADD', KEYS[5])
section('SADD', KEYS[6])
section('ZADD', KEYS[7])
for k = 8, #KEYS do section('SADD', KEYS[k]) end
redis.call('SET', KEYS[1], ARGV[2])
return {0}
`;
