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
export const ADD_ENTRIES = String.raw`
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
