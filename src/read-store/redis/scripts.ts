import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { CHANGES_BUCKET_MS } from '../change-buckets.js';

/**
 * Added to an actor's change bucket so that every bucket of a Date (±8.64e15 ms: ±3,333,334 buckets) is positive and
 * written in six hex digits: the buckets' text sorts as they do.
 */
const BUCKET_OFFSET = 1 << 23;

const DATE_LIMIT_MS = 8.64e15;

/** The bucket of an actor's change at `occurredAtMs`, as the add-entries script writes it (a Date's range, clamped). */
export const changeBucketText = (occurredAtMs: number): string =>
  (Math.floor(Math.min(DATE_LIMIT_MS, Math.max(-DATE_LIMIT_MS, occurredAtMs)) / CHANGES_BUCKET_MS) + BUCKET_OFFSET)
    .toString(16)
    .padStart(6, '0');

/**
 * The Lua scripts of the Redis read-model store. Each touches the keys of one slot only (one entity, one world
 * shard, or the meta tag), so that each runs whole on one node of a cluster. Positions are compared byte by byte
 * (`before`): Lua's own `<` follows the server's collation locale.
 */

/**
 * An index is paged: sorted sets of at most a page size of entries (128, Redis' zset-max-listpack-entries, unless
 * the store is told otherwise), small enough for Redis to keep packed in one allocation: about 60 bytes an entry
 * where a large sorted set (a skiplist and a hash table) takes 110 more (measured on a 20,000-development history).
 * The index's key (KEYS[1]) is its first page, and holds every entry before the first page its directory lists:
 * KEYS[1]..':d', a sorted set whose members name the other pages by their first entry, "<recordPosition>:<score>"
 * with score that occurredAt, so that the directory is in world order too; the page is KEYS[1]..':'..<that name>, in
 * KEYS[1]'s slot. An entry's page is the last one starting at or before its place (page_of); pages only split, and
 * entries never leave the index, so an entry's page and rank are found again however the index grew meanwhile.
 */
const HELPERS = String.raw`
local function plen(s, i)
  local c = tonumber(string.sub(s, i, i), 17)
  if string.byte(s, i + 1 + c) == 46 then return 2 + c end
  return 3 + c + tonumber(string.sub(s, i + 2 + c, i + 2 + c), 17)
end
local function before(a, b)
  if a == b then return false end
  local n = math.min(#a, #b)
  for k = 1, n do
    local x, y = string.byte(a, k), string.byte(b, k)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local function n36(s)
  if string.sub(s, 1, 1) == '~' then return tonumber(string.sub(s, 2)) end
  local v, k, neg = 0, 1, false
  if string.sub(s, 1, 1) == '-' then neg, k = true, 2 end
  for q = k, #s do
    local b = string.byte(s, q)
    if b <= 57 then v = v * 36 + b - 48 else v = v * 36 + b - 87 end
  end
  if neg then return -v end
  return v
end
local function entry(m)
  local rl = plen(m, 1)
  local r = string.sub(m, 1, rl)
  local i = rl + 1
  local a = r
  if string.sub(m, i, i) == '=' then
    i = i + 1
  else
    local al = plen(m, i)
    a = string.sub(m, i, i + al - 1)
    i = i + al
  end
  local c1 = string.find(m, ',', i, true)
  local c2 = string.find(m, ',', c1 + 1, true)
  local t = n36(string.sub(m, i, c1 - 1))
  local e = t
  if c2 > c1 + 1 then
    local x = string.sub(m, c1 + 1, c2 - 1)
    if string.sub(x, 1, 1) == '~' then e = n36(x) else e = t - n36(x) end
  end
  return r, a, t, e
end
local function change_bucket(s)
  return string.format('%06x', math.floor(tonumber(s) / ${CHANGES_BUCKET_MS}) + ${BUCKET_OFFSET})
end
local function share_at(m)
  local c1 = string.find(m, ',', plen(m, 1) + 1, true)
  local c2 = string.find(m, ',', c1 + 1, true)
  return string.find(m, '|', c2 + 1, true)
end
local function page_at(key, d)
  if d < 0 then return key end
  return key .. ':' .. redis.call('ZRANGE', key .. ':d', d, d)[1]
end
local function page_of(key, s, r)
  local dir = key .. ':d'
  local below = redis.call('ZCOUNT', dir, '-inf', '(' .. s)
  local same = redis.call('ZRANGEBYSCORE', dir, s, s)
  for q = #same, 1, -1 do
    local name = same[q]
    if not before(r, string.sub(name, 1, plen(name, 1))) then return below + q - 1, key .. ':' .. name end
  end
  return below - 1, page_at(key, below - 1)
end
`;

/**
 * Adds an entity's versions to its string (KEYS[1]); ARGV: position, record, ... in log order. A position already
 * there is not written again; the string stays in log order (rebuilt in the rare case a version lands before one
 * it holds). SET, not APPEND: APPEND leaves the string's spare capacity allocated.
 */
const VERSIONS = String.raw`
local cur = redis.call('GET', KEYS[1]) or ''
local have, last = {}, ''
for p in string.gmatch(cur, '\30([^\31]*)\31') do
  have[p] = true
  last = p
end
local add, sorted = {}, true
for i = 1, #ARGV, 2 do
  local p = ARGV[i]
  if not have[p] then
    have[p] = true
    if not before(last, p) then sorted = false end
    last = p
    add[#add + 1] = ARGV[i + 1]
  end
end
if #add == 0 then return 0 end
local text = cur .. table.concat(add)
if not sorted then
  local records = {}
  for record in string.gmatch(text, '\30[^\30]*') do records[#records + 1] = record end
  table.sort(records, function(x, y)
    return before(string.match(x, '^\30([^\31]*)'), string.match(y, '^\30([^\31]*)'))
  end)
  text = table.concat(records)
end
redis.call('SET', KEYS[1], text)
return #add
`;

/**
 * Adds index entries to a paged index (KEYS[1]); ARGV: the page size, the longest member a page keeps whole, then
 * score, member, ... A place (score, recordPosition) already there is not added again, whatever the rest of the
 * member says: the first entry for a place wins. Members of one score sort by recordPosition, so a binary search over
 * their ranks in the place's page finds the place.
 *
 * A full page splits before an entry goes in: Redis never packs a sorted set again once it grew past its limits.
 * It splits in halves, but the last page, appended to (a projection mostly adds entries in world order), stays full
 * and a new one starts with the entry: pages stay near full. A member longer than a page keeps (5% of an actor's, with
 * a stance's summary in their share) would unpack the whole page: its share goes to KEYS[1]..':o', a hash by the
 * member the page keeps, which ends in "|\30" where the share was (scans put it back, full).
 *
 * An actor's changes index also lists each entry it adds in KEYS[2], by month, then by when it came (SCAN_CHANGES).
 */
const ADD_ENTRIES = String.raw`
local key = KEYS[1]
local dir = key .. ':d'
local size, longest = tonumber(ARGV[1]), tonumber(ARGV[2])
local function split(d, page, s, r)
  local n = redis.call('ZCARD', page)
  local last = redis.call('ZRANGE', page, -1, -1, 'WITHSCORES')
  local lastS = tonumber(last[2])
  if d == redis.call('ZCARD', dir) - 1 and (tonumber(s) > lastS or (tonumber(s) == lastS and before(string.sub(last[1], 1, plen(last[1], 1)), r))) then
    redis.call('ZADD', dir, s, r .. ':' .. s)
    return
  end
  local moved = redis.call('ZRANGE', page, math.floor(n / 2), -1, 'WITHSCORES')
  local name = string.sub(moved[1], 1, plen(moved[1], 1)) .. ':' .. moved[2]
  local args = {}
  for q = 1, #moved, 2 do
    args[#args + 1] = moved[q + 1]
    args[#args + 1] = moved[q]
  end
  redis.call('ZADD', key .. ':' .. name, unpack(args))
  redis.call('ZREMRANGEBYRANK', page, math.floor(n / 2), -1)
  redis.call('ZADD', dir, moved[2], name)
end
local added = 0
for i = 3, #ARGV, 2 do
  local s, m = ARGV[i], ARGV[i + 1]
  local r = string.sub(m, 1, plen(m, 1))
  local d, page = page_of(key, s, r)
  local k = redis.call('ZCOUNT', page, s, s)
  local found = false
  if k > 0 then
    local a = redis.call('ZCOUNT', page, '-inf', '(' .. s)
    local b = a + k - 1
    while a <= b do
      local mid = math.floor((a + b) / 2)
      local q = redis.call('ZRANGE', page, mid, mid)[1]
      local qr = string.sub(q, 1, plen(q, 1))
      if qr == r then
        found = true
        break
      end
      if before(qr, r) then a = mid + 1 else b = mid - 1 end
    end
  end
  if not found then
    if redis.call('ZCARD', page) >= size then
      split(d, page, s, r)
      d, page = page_of(key, s, r)
    end
    -- A member names its place by its record position, not its date: the same text at another date would move
    -- the entry there (ZADD keeps one member), losing a place. Refused, so the batch fails loudly instead.
    if redis.call('ZSCORE', page, m) then
      return redis.error_reply('an index entry at two places: ' .. m .. ' already stands at another date in ' .. page)
    end
    if KEYS[2] then
      local _, a = entry(m)
      redis.call('ZADD', KEYS[2], 0, change_bucket(s) .. a .. '\31' .. s .. '\31' .. m)
    end
    local bar = share_at(m)
    if #m > longest and bar then
      local kept = string.sub(m, 1, bar) .. '\30'
      redis.call('HSET', key .. ':o', kept, string.sub(m, bar + 1))
      m = kept
    end
    redis.call('ZADD', page, s, m)
    added = added + 1
  end
end
return added
`;

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
const CHECKPOINT = String.raw`
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

/**
 * Scans a paged index (KEYS[1]) in world order, or reversed, keeping what an entries query (or, counting, a count
 * query) takes. ARGV:
 *   1 the checkpoint's position; '' to read it from KEYS[2] in the same script (a single Redis: one round trip)
 *   2 lowest score ('-inf' or after.occurredAtMs), 3 after.recordPosition ('' for none): at that score, only later
 *   4 highest score ('+inf' or a number), 5 through.occurredAtMs ('' for none), 6 through.recordPosition
 *   7 knownAtMs ('' for Infinity), 8 addedAfter ('' for none), 9 limit ('' for none), 10 '1' for descending
 *   11 the member to resume after ('' to start), 12 how many members to look at before handing back, 13 '1' to count
 *   14 the score of the member to resume after
 * Returns {checkpoint position, member to resume after ('' when done), its score, cut, count, member, score, ...};
 * cut is 1 when an entry in or before the range has earliestAddedFromMs past knownAt: nothing after it is known at
 * knownAt (earliestAddedFromMs never decreases along world order), so the scan ends there, found by a binary search
 * over the pages, then within one. Every member stamped after the checkpoint (addedPosition) is skipped: a batch is
 * seen with its checkpoint only.
 *
 * A place in the index is (page, rank): page -1 is KEYS[1], page d >= 0 the directory's d-th. The range runs from
 * (fd, fr) to (ld, lr): from the first entry after `after` (or at the lowest score) to the last at or before
 * `through` (or at the highest score); the pages between lie in the range whole. Both ends are sought by score, then
 * by record among the entries at that score: many developments share one instant (dated by the year or the day: at
 * 1M developments the busiest actor has 2,234 entries at 2015-01-01T00:00Z), and a scan that started at the score
 * looked at each of those before the first it took: a lookup of two entries after a late arrival took 7 ms, and
 * rebuilding into Redis spent most of its time there.
 */
const SCAN = String.raw`
local cp = ARGV[1]
if cp == '' then
  local stored = redis.call('GET', KEYS[2])
  if not stored then return {'', '', '', 0, 0} end
  cp = string.sub(stored, 1, string.find(stored, '|', 1, true) - 1)
end
local key = KEYS[1]
local dir = key .. ':d'
local lo, afterR, hi, throughR = ARGV[2], ARGV[3], ARGV[4], ARGV[6]
local addedAfter, limit, desc = ARGV[8], tonumber(ARGV[9]), ARGV[10] == '1'
local resume, budget, counting = ARGV[11], tonumber(ARGV[12]), ARGV[13] == '1'
local loScore = tonumber(lo)
local throughScore, knownAt = nil, nil
if ARGV[5] ~= '' then throughScore = tonumber(ARGV[5]) end
if ARGV[7] ~= '' then knownAt = tonumber(ARGV[7]) end
local function past(page, rank)
  local _, _, _, e = entry(redis.call('ZRANGE', page, rank, rank)[1])
  return e > knownAt
end
local function first_past()
  local a, b, found = -1, redis.call('ZCARD', dir) - 1, nil
  while a <= b do
    local mid = math.floor((a + b) / 2)
    local page = page_at(key, mid)
    if redis.call('ZCARD', page) > 0 and past(page, -1) then
      found = mid
      b = mid - 1
    else
      a = mid + 1
    end
  end
  if not found then return nil end
  local page = page_at(key, found)
  local x, y, rank = 0, redis.call('ZCARD', page) - 1, nil
  while x <= y do
    local mid = math.floor((x + y) / 2)
    if past(page, mid) then
      rank = mid
      y = mid - 1
    else
      x = mid + 1
    end
  end
  return found, rank
end
-- The rank in a page of its first member past (s, r): past every lower score, and at s past every record up to r,
-- found by halving the members at s (ordered by their record, the members' first field).
local function rank_past(page, s, r)
  local a = redis.call('ZCOUNT', page, '-inf', '(' .. s)
  local b = a + redis.call('ZCOUNT', page, s, s)
  while a < b do
    local mid = math.floor((a + b) / 2)
    local m = redis.call('ZRANGE', page, mid, mid)[1]
    if before(r, string.sub(m, 1, plen(m, 1))) then b = mid else a = mid + 1 end
  end
  return a
end
local fd, fr = -1, 0
if lo ~= '-inf' and afterR ~= '' then
  local page
  fd, page = page_of(key, lo, afterR)
  fr = rank_past(page, lo, afterR)
elseif lo ~= '-inf' then
  fd = redis.call('ZCOUNT', dir, '-inf', '(' .. lo) - 1
  fr = redis.call('ZCOUNT', page_at(key, fd), '-inf', '(' .. lo)
end
local ld, lr
if throughScore and tonumber(hi) == throughScore then
  local page
  ld, page = page_of(key, hi, throughR)
  lr = rank_past(page, hi, throughR) - 1
else
  ld = redis.call('ZCOUNT', dir, '-inf', hi) - 1
  lr = redis.call('ZCOUNT', page_at(key, ld), '-inf', hi) - 1
end
local cut = 0
if knownAt and (fd < ld or (fd == ld and fr <= lr)) then
  local cd, cr = first_past()
  if cd and (cd < ld or (cd == ld and cr <= lr)) then
    ld, lr = cd, cr - 1
    cut = 1
  end
end
if resume ~= '' then
  local d, page = page_of(key, ARGV[14], string.sub(resume, 1, plen(resume, 1)))
  local r = redis.call('ZRANK', page, resume)
  if not r then return {cp, '', '', cut, 0} end
  if desc then
    if d < ld or (d == ld and r - 1 < lr) then ld, lr = d, r - 1 end
  elseif d > fd or (d == fd and r + 1 > fr) then
    fd, fr = d, r + 1
  end
end
local out = {cp, '', '', cut, 0}
local count, seen = 0, 0
-- Looks at one member: true when the scan stops there (the limit met, or the budget spent).
local function visit(m, s)
  local r, added, t = entry(m)
  local take = not before(cp, added)
  if take and knownAt and t > knownAt then take = false end
  if take and addedAfter ~= '' and not before(addedAfter, added) then take = false end
  if take and (afterR ~= '' or throughScore) then
    local score = tonumber(s)
    if afterR ~= '' and score == loScore and not before(afterR, r) then take = false end
    if take and throughScore and score == throughScore and before(throughR, r) then take = false end
  end
  if take then
    count = count + 1
    if not counting then
      local bar = share_at(m)
      if bar and bar == #m - 1 and string.byte(m, #m) == 30 then
        out[#out + 1] = string.sub(m, 1, bar) .. redis.call('HGET', key .. ':o', m)
      else
        out[#out + 1] = m
      end
      out[#out + 1] = s
    end
    if limit and count >= limit then return true end
  end
  seen = seen + 1
  if seen >= budget then
    out[2] = m
    out[3] = s
    return true
  end
  return false
end
-- The ranks from..to of a page, by chunks of 128, in the scan's direction.
local function walk(page, from, to)
  local at = from
  if desc then at = to end
  while (desc and at >= from) or ((not desc) and at <= to) do
    local a, b = at, math.min(to, at + 127)
    if desc then a, b = math.max(from, at - 127), at end
    local chunk = redis.call('ZRANGE', page, a, b, 'WITHSCORES')
    local n = #chunk / 2
    for q = 1, n do
      local j = q
      if desc then j = n - q + 1 end
      if visit(chunk[2 * j - 1], chunk[2 * j]) then return true end
    end
    if desc then at = a - 1 else at = b + 1 end
  end
  return false
end
local step, d, stop = 1, fd, ld
if desc then step, d, stop = -1, ld, fd end
while (desc and d >= stop) or ((not desc) and d <= stop) do
  local page = page_at(key, d)
  local from, to = 0, redis.call('ZCARD', page) - 1
  if d == fd then from = fr end
  if d == ld then to = lr end
  if walk(page, from, to) then break end
  d = d + step
end
out[5] = count
return out
`;

/**
 * An actor's changes added after a position, in the months up to one (KEYS[1], the changes by month: members
 * "<month><added position>\31<score>\31<index member>", all at score 0, so in that order by their bytes). ARGV:
 *   1 the checkpoint's position; '' to read it from KEYS[2] in the same script (a single Redis: one round trip)
 *   2 the position they came after, 3 the last month ('' for all), 4 the member to resume after ('' to start),
 *   5 how many members to look at before handing back
 * Returns {checkpoint position, member to resume after ('' when done), member, ...}: in each month, a seek past
 * what came by the position, then what came since; months without any are stepped over, each with one seek. Every
 * member stamped after the checkpoint is skipped, as the scan skips it. The rest of the question (the bound's own
 * month cut at its instant, knownAt, the order) is the reader's: what is left is a few changes.
 */
const SCAN_CHANGES = String.raw`
local cp = ARGV[1]
if cp == '' then
  local stored = redis.call('GET', KEYS[2])
  if not stored then return {'', ''} end
  cp = string.sub(stored, 1, string.find(stored, '|', 1, true) - 1)
end
local key, since, last, resume, budget = KEYS[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local out = {cp, ''}
local function next_month(b) return string.format('%06x', tonumber(b, 16) + 1) end
local b, lo
if resume ~= '' then
  b, lo = string.sub(resume, 1, 6), '(' .. resume
else
  local first = redis.call('ZRANGE', key, 0, 0)[1]
  if not first then return out end
  b = string.sub(first, 1, 6)
  lo = '(' .. b .. since .. '\127'
end
local seen = 0
while b and (last == '' or not before(last, b)) do
  local found = redis.call('ZRANGEBYLEX', key, lo, '(' .. next_month(b), 'LIMIT', 0, budget - seen)
  for q = 1, #found do
    local m = found[q]
    local added = string.sub(m, 7, 6 + plen(m, 7))
    if not before(cp, added) then out[#out + 1] = m end
  end
  seen = seen + #found
  if seen >= budget then
    out[2] = found[#found]
    return out
  end
  local following = redis.call('ZRANGEBYLEX', key, '[' .. next_month(b), '+', 'LIMIT', 0, 1)[1]
  b = following and string.sub(following, 1, 6)
  if b then lo = '(' .. b .. since .. '\127' end
end
return out
`;

/**
 * The position of the last event recorded before ARGV[1] (a score bound, exclusive): in the last bucket of the clock
 * (KEYS[2]) whose first mark is before it, since recordedAt never decreases along the log; false when none is, or
 * when nothing is committed (KEYS[1], the checkpoint).
 */
const RECORDED_BEFORE = String.raw`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local bucket = redis.call('ZREVRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '-inf', 'LIMIT', 0, 1)[1]
if not bucket then return false end
return redis.call('ZREVRANGEBYSCORE', KEYS[2] .. ':' .. bucket, '(' .. ARGV[1], '-inf', 'LIMIT', 0, 1)[1]
`;

const SCRIPTS = {
  rsVersions: VERSIONS,
  rsAddEntries: ADD_ENTRIES,
  rsCheckpoint: CHECKPOINT,
  rsScan: SCAN,
  rsScanChanges: SCAN_CHANGES,
  rsRecordedBefore: RECORDED_BEFORE,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

type ScriptArgument = string | number;
type ScriptCaller<R> = Record<ScriptName, (numberOfKeys: number, ...args: ScriptArgument[]) => R>;

/** Defines the scripts on a connection (ioredis sends EVALSHA, and EVAL the first time on each socket). */
export const defineScripts = (connection: Redis | Cluster): void => {
  for (const [name, body] of Object.entries(SCRIPTS)) connection.defineCommand(name, { lua: HELPERS + body });
};

/** Queues a script call on a pipeline of a connection defineScripts was given. */
export const queueScript = (
  pipeline: ChainableCommander,
  name: ScriptName,
  keys: readonly string[],
  args: readonly ScriptArgument[],
): void => {
  (pipeline as unknown as ScriptCaller<unknown>)[name](keys.length, ...keys, ...args);
};

export const runScript = (
  connection: Redis | Cluster,
  name: ScriptName,
  keys: readonly string[],
  args: readonly ScriptArgument[],
): Promise<unknown> => (connection as unknown as ScriptCaller<Promise<unknown>>)[name](keys.length, ...keys, ...args);
