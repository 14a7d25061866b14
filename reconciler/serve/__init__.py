"""``reconcile serve``: keep the Wix menu in step with the POS from webhooks (docs/serve.md).

Nothing here knows a POS by name: what a POS must do for serve (verify a webhook, parse it, probe
for changes, name its secrets) is the source's, behind the contract in
:mod:`reconciler.sources.base`, looked up by the catalog's ``source`` in the registry.

One module per concern, in the order an event travels:

    app          HTTP endpoints: verify and parse (the source's hooks), queue, acknowledge; /healthz
    queue        durable SQLite queue behind a small Queue protocol
    debounce     when may a catalog's next sync start                    (pure)
    worker       claims due work, runs syncs in threads, settles rows
    sync         probe -> import -> plan -> apply or hold (the existing engine)
    history      one row per sync, and the POS watermarks
    config       the YAML config, validated with file:line errors
    secrets      each catalog's POS variables from the environment, and redaction
    jsonlog      JSON-lines logs on stderr
    server       start-up, the serve lock, uvicorn, graceful shutdown
"""
