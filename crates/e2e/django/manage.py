#!/usr/bin/env python3
"""The test relying party's manage.py: `migrate`, then `runserver` (crates/e2e/src/django.rs)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rp.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
