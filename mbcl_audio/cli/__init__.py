"""The ``mbcl-audio`` command: a thin layer over the library (:mod:`mbcl_audio.build`, ``plan``, ``check``, ``qa``).

:data:`main` is the click group (the console entry point ``mbcl_audio.cli:main``);
each sub-module holds a few of its commands. The group and every command in it
stand behind one error boundary (:mod:`.boundary`): a problem a producer can act
on prints as one ``error: ...`` line on stderr and exits 1.
"""

from __future__ import annotations

import click

from .. import __version__
from ..heap import use_one_arena
from .boundary import BoundaryGroup
from .build import build, profiles
from .i18n import i18n, import_text
from .buildset import build_set_command
from .plan import check, plan
from .qa import qa
from .takes import takes
from .tracks import tracks
from .voices import cache, voices

__all__ = ["main"]


@click.group(
    cls=BoundaryGroup,
    epilog="Example: build track 1 in Dutch and English into output/\n\n  mbcl-audio build 1 --lang nl,en",
)
@click.version_option(__version__, prog_name="mbcl-audio")
def main() -> None:
    """Build the MBCL guided-meditation tracks from timed exercise scripts."""
    use_one_arena()  # before any thread starts: a build's blocks then reuse one heap


for _command in (build, build_set_command, plan, check, tracks, profiles, voices, cache, takes, qa, i18n, import_text):
    main.add_command(_command)
