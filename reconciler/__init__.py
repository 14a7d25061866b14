"""reconcile: keep a restaurant's Wix menu in step with a desired-state catalog.

The pipeline, one module per stage (see docs/lifecycle.md):

    yamlio.load      desired catalog from YAML            (pure)
    targets.*.read   live catalog from Wix, via the id mapping
    engine.diff      desired vs live, on the normalised essence   (pure)
    engine.plan      the ordered Wix operations, frozen           (pure)
    engine.safety    thresholds that only --force passes          (pure)
    engine.apply     execute exactly the plan, atomically
    engine.verify    re-read and compare
"""

__version__ = "0.1.0"
