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

import sys as _sys

# httpx's package imports its own command-line client (httpx._main) when it can, and that pulls in
# rich's console, tables and syntax highlighting and pygments: ~60 ms of every reconcile command's
# start-up, for a client reconcile never runs. An entry of None makes that one import fail, and
# httpx then falls back to its stub `main` (as when its CLI extra is not installed); nothing else
# of httpx changes. Set only if httpx's CLI was not already imported by someone else.
_sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
