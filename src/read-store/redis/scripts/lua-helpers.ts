import { CHANGES_BUCKET_MS } from '../../change-buckets.js';

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
 * An index is paged: sorted sets of at most a page size of entries (128, Redis' zset-max-listpack-entries, unless
 * the store is told otherwise), small enough for Redis to keep packed in one allocation: about 60 bytes an entry
 * where a large sorted set (a skiplist and a hash table) takes 110 more (measured on a 20,000-development history).
 * The index's key (KEYS[1]) is its first page, and holds every entry before the first page its directory lists:
 * KEYS[1]..':d', a sorted set whose members name the other pages by their first entry, "<recordPosition>:<score>"
 * with score that occurredAt, so that the directory is in world order too; the page is KEYS[1]..':'..<that name>, in
 * KEYS[1]'s slot. An entry's page is the last one starting at or before its place (page_of); pages only split, and
 * entries never leave the index, so an entry's page and rank are found again however the index grew meanwhile.
 */
export const HELPERS = String.raw`
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
