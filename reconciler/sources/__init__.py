"""POS sources: everything reconcile knows about a point-of-sale system, one package per POS.

    base.py      the contract: Source and its must/may hooks for import (read_file, read_api,
                 translate) and serve (verify_webhook, webhook_events, webhook_handshake, probe),
                 EnvNames, ImportResult, ImportNote, Event, Probe
    registry.py  the sources by name, the one list of POSes: get_source("square"), register()
    service.py   import_from_file / import_from_api: read, translate, dump, validate
    build.py     the POS-neutral mapping rules (sizes, option groups, clean-up, ordering)
    ids.py       stable, prefixed, sanitised ids; money.py exact minor/major unit conversion
    http.py      JSON over HTTP with retries and redacted errors; webhooks.py HMAC helpers
    square/ toast/ clover/   parse (wire format → records), translate (records → catalog),
                 api (full read and change probe), webhook (signature check and events), source

Adding a POS: one package with a Source subclass, one line in ``registry.BUILT_IN``.
Library code never prints: what could not be imported is returned as notes for the CLI.
"""
