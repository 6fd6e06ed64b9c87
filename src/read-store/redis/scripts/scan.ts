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
export const SCAN = String.raw`
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
