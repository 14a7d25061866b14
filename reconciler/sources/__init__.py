"""POS sources: read a Square, Toast or Clover catalog and translate it into our catalog.

    base.py      Source (hooks read_file / read_api / translate), ImportResult, ImportNote
    registry.py  the three sources by name: get_source("square")
    service.py   import_from_file / import_from_api: read, translate, dump, validate
    build.py     the POS-neutral mapping rules (sizes, option groups, clean-up, ordering)
    ids.py       stable, prefixed, sanitised ids; money.py exact minor/major unit conversion
    square/ toast/ clover/   parse (wire format → records), translate (records → catalog), API

Library code never prints: what could not be imported is returned as notes for the CLI.
"""
