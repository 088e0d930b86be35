#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

A configuration error (``ImproperlyConfigured`` raised while the settings load, e.g. a bad
environment variable) is printed as one line naming the problem, exit status 1, not a
traceback.
"""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mol_portal.settings")
    from mol_portal import datadir

    datadir.prepare()
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"ImproperlyConfigured: {exc}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
