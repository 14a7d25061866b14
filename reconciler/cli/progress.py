"""Progress of an apply: a bar on a terminal, plain lines otherwise, always on stderr."""

from __future__ import annotations

import sys
import time

import click

from reconciler.engine.vocabulary import Phase


def progress_reporter(fmt: str):
    if sys.stderr.isatty():
        return _Bar()
    return _Lines()


class _Lines:
    def __init__(self) -> None:
        self.last = None
        self.started = time.monotonic()

    def __call__(self, phase: Phase, stage: str, done: int, total: int) -> None:
        if stage == self.last:
            return
        self.last = stage
        click.echo(f"[{time.monotonic() - self.started:6.2f}s] {done}/{total} calls · {stage}", err=True)


class _Bar:
    """A rich progress bar, created lazily so nothing is drawn for plans without calls."""

    def __init__(self) -> None:
        self.progress = None
        self.task = None

    def __call__(self, phase: Phase, stage: str, done: int, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        if self.progress is None:
            self.progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
            )
            self.progress.start()
            self.task = self.progress.add_task(stage, total=total)
        self.progress.update(self.task, description=stage, completed=done, total=total)
        if done >= total:
            self.progress.stop()
