"""The CLI's one error boundary: a problem a producer can act on is one ``error:`` line and exit 1.

Every command and group of ``mbcl-audio`` is a :class:`BoundaryCommand` or
:class:`BoundaryGroup`, so a command raises :class:`~mbcl_audio.errors.MbclError`
(or lets an ``OSError`` through) and the boundary prints it; anything else is a
bug and keeps its traceback. Commands that report several problems and go on
(``check``, ``voices``) print those themselves and choose their exit status.
"""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.text import Text

from ..errors import MbclError

__all__ = ["USER_ERRORS", "BoundaryCommand", "BoundaryGroup", "print_error"]

# Problems a producer can act on (bad input, missing files, permissions) print as one
# line; anything else is a bug and keeps its traceback.
USER_ERRORS = (MbclError, OSError)


def print_error(message: str) -> None:
    """Print ``error: message`` on stderr (``error:`` in bold red on a terminal)."""
    # Messages quote script syntax like [pause 3s]: print them as plain text, unwrapped.
    Console(stderr=True).print(Text("error: ", style="bold red") + Text(message), soft_wrap=True, highlight=False)


class _ErrorBoundary(click.Command):
    """Runs the command and turns a :data:`USER_ERRORS` exception into :func:`print_error` and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise  # stdout closed by a pager or `head`: click's own handling exits quietly
        except USER_ERRORS as exc:
            print_error(str(exc))
            ctx.exit(1)


class BoundaryCommand(_ErrorBoundary):
    """A click command behind the error boundary."""


class BoundaryGroup(_ErrorBoundary, click.Group):
    """A click group behind the error boundary, whose commands and sub-groups are too."""

    command_class = BoundaryCommand
    group_class = type  # sub-groups made with @group.group() are BoundaryGroups as well
