"""Every limit where unbounded input meets a loop, in one place, with what raises it.

An input that exceeds a limit is refused with a message naming the limit and, where a user
could legitimately need more, the variable that raises it. Limits are far above any real
restaurant catalog (the largest we plan for has 100,000 dishes) and far below what would exhaust
memory or time.

=======================  =================  ===========================================
limit                    default            raised by
=======================  =================  ===========================================
input file size          256 MiB            ``RECONCILE_MAX_INPUT_MB``
YAML nesting depth       64 levels          fixed (a catalog nests at most 6)
YAML alias uses          100,000 per file   fixed
YAML alias expansion     100,000 values or  fixed (a 400-byte "billion laughs" expands
                         the file's own        to 10^9 values)
                         size, if larger
JSON nesting depth       100 levels         fixed (POS exports, saved plans, webhooks)
POS export objects       10,000,000 JSON    ``RECONCILE_MAX_IMPORT_OBJECTS`` (a 100,000-dish
                         objects and lists     Square export holds about 500,000)
catalog files            10,000 per folder  fixed
price digits             15 before, 6       fixed (the currency's own minor units are
                         after the point       checked as well)
HTTP response body       256 MiB            ``RECONCILE_MAX_RESPONSE_MB``
HTTP request, overall    60 s per attempt   ``RECONCILE_HTTP_TIMEOUT``
Retry-After honoured     up to 60 s         fixed (longer: the call fails, saying so)
webhook body             1 MiB              fixed
command deadline         1800 s             ``RECONCILE_DEADLINE`` or ``--deadline``
=======================  =================  ===========================================
"""

from __future__ import annotations

from reconciler import environment

MIB = 1024 * 1024

YAML_MAX_DEPTH = 64
YAML_MAX_ALIASES = 100_000
YAML_MIN_EXPANSION = 100_000
JSON_MAX_DEPTH = 100
MAX_CATALOG_FILES = 10_000
PRICE_MAX_INTEGER_DIGITS = 15
PRICE_MAX_FRACTION_DIGITS = 6
RETRY_AFTER_MAX = 60.0
WEBHOOK_MAX_BODY = MIB

INPUT_MB_VARIABLE = "RECONCILE_MAX_INPUT_MB"
RESPONSE_MB_VARIABLE = "RECONCILE_MAX_RESPONSE_MB"
HTTP_TIMEOUT_VARIABLE = "RECONCILE_HTTP_TIMEOUT"
DEADLINE_VARIABLE = "RECONCILE_DEADLINE"
IMPORT_OBJECTS_VARIABLE = "RECONCILE_MAX_IMPORT_OBJECTS"

DEFAULT_INPUT_MB = 256
DEFAULT_RESPONSE_MB = 256
DEFAULT_HTTP_TIMEOUT = 60.0
DEFAULT_DEADLINE = 1800.0
DEFAULT_IMPORT_OBJECTS = 10_000_000


def max_input_bytes() -> int:
    megabytes = environment.number(INPUT_MB_VARIABLE, DEFAULT_INPUT_MB, low=1, high=64 * 1024)
    return int(megabytes * MIB)


def max_response_bytes() -> int:
    megabytes = environment.number(RESPONSE_MB_VARIABLE, DEFAULT_RESPONSE_MB, low=1, high=64 * 1024)
    return int(megabytes * MIB)


def http_timeout() -> float:
    return environment.number(HTTP_TIMEOUT_VARIABLE, DEFAULT_HTTP_TIMEOUT, low=1, high=24 * 3600)


def deadline_seconds() -> float:
    return environment.number(DEADLINE_VARIABLE, DEFAULT_DEADLINE, low=1, high=7 * 24 * 3600)


def max_import_objects() -> int:
    """JSON objects and lists one POS export file may hold."""
    return int(environment.number(IMPORT_OBJECTS_VARIABLE, DEFAULT_IMPORT_OBJECTS, low=1, high=10**9, integer=True))
