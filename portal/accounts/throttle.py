"""Slowing down password guessing without handing an attacker a way to lock staff out.

Failures are counted per username *and* client address together: after a few from one
address for one name, each further attempt from there has to wait, twice as long each time
up to a ceiling. Failures elsewhere never slow down the owner at their own desk, as a lock
of the username from anywhere would. A generous ceiling per address, across all names,
stops one machine from trying many accounts (credential stuffing); it is generous because
a whole consulate may reach the portal through one address.

An attempt is counted as a failure before the password is checked and forgiven when it
succeeds, in one Redis script: a burst of parallel attempts cannot slip through while the
first ones are being checked. Keys hold keyed digests, never a username or an address.
"""

import logging
import math

import redis
from flask import current_app

from portal.core.db import utcnow
from portal.core.digests import keyed_digest
from portal.core.redis import get_redis

FREE_FAILURES = 5  # from one address for one name, before any wait
FIRST_WAIT_SECONDS = 30  # after the fifth; doubled after each further failure
LONGEST_WAIT_SECONDS = 15 * 60
FORGET_AFTER_SECONDS = 24 * 3600  # a name's failures from an address, after the last one
ADDRESS_WINDOW_SECONDS = 3600  # the per-address ceiling counts failures in this window

log = logging.getLogger(__name__)

# KEYS: this name from this address; this address, any name.
# ARGV: now (ms), free failures, first wait (s), longest wait (s), forget after (s),
# ceiling, window (s). Times are whole milliseconds: Lua writes numbers with 14 digits,
# which would round a fractional timestamp up and hold back an attempt that may go ahead.
# Returns the seconds to wait, or 0 when the attempt may go ahead (it is counted).
_RESERVE = """
local now = tonumber(ARGV[1])
local from_address = tonumber(redis.call('GET', KEYS[2]) or '0')
if from_address >= tonumber(ARGV[6]) then
  return math.max(redis.call('TTL', KEYS[2]), 1)
end
local wait_until = tonumber(redis.call('HGET', KEYS[1], 'wait_until') or '0')
if now < wait_until then
  return math.ceil((wait_until - now) / 1000)
end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if failures >= tonumber(ARGV[2]) then
  local wait = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (failures - tonumber(ARGV[2])))
  redis.call('HSET', KEYS[1], 'wait_until', string.format('%d', now + wait * 1000))
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
if redis.call('INCR', KEYS[2]) == 1 then
  redis.call('EXPIRE', KEYS[2], ARGV[7])
end
return 0
"""
_FORGIVE = """
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then
  redis.call('DECR', KEYS[2])
end
return 0
"""


def _keys(username: str, address: str) -> list[str]:
    name = username.strip().lower()
    return [
        "staff-sign-in:name-address:" + keyed_digest("sign-in throttle", name, address),
        "staff-sign-in:address:" + keyed_digest("sign-in throttle", address),
    ]


def reserve(username: str, address: str) -> int:
    """Seconds this attempt must wait; 0 when it may be checked (it counts as a failure
    until ``forgive``). Without Redis nobody is held back: the password and the one-time
    code still protect the account, and staff can still sign in during an outage."""
    arguments = [
        int(utcnow().timestamp() * 1000),
        FREE_FAILURES,
        FIRST_WAIT_SECONDS,
        LONGEST_WAIT_SECONDS,
        FORGET_AFTER_SECONDS,
        current_app.config["STAFF_SIGN_IN_ADDRESS_FAILURES"],
        ADDRESS_WINDOW_SECONDS,
    ]
    try:
        wait = get_redis().eval(_RESERVE, 2, *_keys(username, address), *arguments)
    except redis.RedisError:
        log.exception("sign-in throttle unavailable; the attempt is let through")
        return 0
    return math.ceil(float(wait))


def forgive(username: str, address: str) -> None:
    """The attempt succeeded: the name starts afresh from this address."""
    try:
        get_redis().eval(_FORGIVE, 2, *_keys(username, address))
    except redis.RedisError:
        log.exception("sign-in throttle unavailable; a successful sign-in was not forgiven")
