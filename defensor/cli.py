"""`defensor <command>`: the operators' command line, a thin wrapper over manage.py."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defensor.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["defensor", *sys.argv[1:]])


if __name__ == "__main__":
    main()
