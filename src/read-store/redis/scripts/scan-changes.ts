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
export const SCAN_CHANGES = String.raw`
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
