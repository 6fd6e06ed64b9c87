/**
 * The position of the last event recorded before ARGV[1] (a score bound, exclusive): in the last bucket of the clock
 * (KEYS[2]) whose first mark is before it, since recordedAt never decreases along the log; false when none is, or
 * when nothing is committed (KEYS[1], the checkpoint).
 */
export const RECORDED_BEFORE = String.raw`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local bucket = redis.call('ZREVRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '-inf', 'LIMIT', 0, 1)[1]
if not bucket then return false end
return redis.call('ZREVRANGEBYSCORE', KEYS[2] .. ':' .. bucket, '(' .. ARGV[1], '-inf', 'LIMIT', 0, 1)[1]
`;
