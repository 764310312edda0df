"""``python -m mbcl_audio.cli``: the ``mbcl-audio`` command."""

from . import main

if __name__ == "__main__":
    main()
