/**
 * Adds an entity's versions to its string (KEYS[1]); ARGV: position, record, ... in log order. A position already
 * there is not written again; the string stays in log order (rebuilt in the rare case a version lands before one
 * it holds). SET, not APPEND: APPEND leaves the string's spare capacity allocated.
 */
export const VERSIONS = String.raw`
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
