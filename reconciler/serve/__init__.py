"""``reconcile serve``: keep the Wix menu in step with the POS from webhooks (docs/serve.md).

One module per concern, in the order an event travels:

    signatures   verify a webhook exactly as its POS specifies           (pure)
    webhooks     verified body -> events with ids and accounts           (pure)
    app          HTTP endpoints: verify, queue, acknowledge; /healthz
    queue        durable SQLite queue behind a small Queue protocol
    debounce     when may a catalog's next sync start                    (pure)
    worker       claims due work, runs syncs in threads, settles rows
    changes      per-POS "did anything change since the watermark" probes
    sync         probe -> import -> plan -> apply or hold (the existing engine)
    history      one row per sync, and the POS watermarks
    config       the YAML config, validated with file:line errors
    secrets      environment variable names, and redaction
    jsonlog      JSON-lines logs on stderr
    server       start-up, the serve lock, uvicorn, graceful shutdown
"""
