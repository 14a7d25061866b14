"""Command-line choices and help read from the registries when a command runs, not when the CLI is imported.

So a POS registered at run time (:func:`reconciler.sources.registry.register`) is a valid
``reconcile import POS`` and ``reconcile serve --source POS`` at once, with no list kept here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from reconciler.sources.registry import source_names


class PosChoice(click.Choice):  # type: ignore[type-arg]  # generic only from click 8.2
    """The names of the registered POS sources."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(source_names())

    @choices.setter
    def choices(self, value: Any) -> None:  # click.Choice.__init__ assigns it; the registry decides
        pass


class LiveEpilog(click.Command):
    """A command whose help epilog is computed when help is shown (it lists the registered sources)."""

    def __init__(self, *args: Any, epilog_from: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.epilog_from = epilog_from

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.epilog = self.epilog_from()
        super().format_epilog(ctx, formatter)
