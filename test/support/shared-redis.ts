/**
 * The shared Redis of the machine, in a database nothing else uses. Tests clean up after themselves and never
 * FLUSHALL, but a store's clear and a read-model drop SCAN the whole database: in database 0, whatever else it holds
 * (a bench's leftovers, millions of keys) would make each of them take seconds, and the suites minutes.
 * REDIS_URL points the tests elsewhere.
 */
export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/11';
