"""Print the deployment's security checklist (``accounts.security_report``).

``--format json`` is the auditors' form (stable codes, English, UTC); ``--fail-on warn`` or
``--fail-on fail`` (the default) sets exit code 1 when a finding is at least that bad, for a
scheduled check or a deployment pipeline.
"""

import json

from django.core.management.base import BaseCommand
from django.utils import translation

from ...security_report import FAIL, PASS, WARN, security_report


class Command(BaseCommand):
    help = "Measure this deployment's settings against the security checklist."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--fail-on", choices=[WARN, FAIL, "never"], default=FAIL)

    def handle(self, *args, **options):
        language = "en" if options["format"] == "json" else translation.get_language()
        with translation.override(language or "en"):
            report = security_report()
            if options["format"] == "json":
                self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            else:
                marks = {PASS: "ok  ", WARN: "WARN", FAIL: "FAIL"}
                for f in report.findings:
                    self.stdout.write(f"{marks[f.status]}  {f.code:16} {f.title}: {f.value}")
                    if f.status != PASS:
                        self.stdout.write(f"      {f.expected} — {f.advice}")
                counts = report.summary
                self.stdout.write(
                    f"{counts[PASS]} ok, {counts[WARN]} warnings, {counts[FAIL]} failures"
                )
        bad = {WARN: (WARN, FAIL), FAIL: (FAIL,), "never": ()}[options["fail_on"]]
        if any(f.status in bad for f in report.findings):
            raise SystemExit(1)
