"""What the doctor found: one :class:`Check` per question, gathered in a :class:`Report`.

Each check carries a ``status`` (``pass``, ``fail`` or ``skip`` when it could not run), a
``code`` naming the verdict for machines (``signature_mismatch``, ``not_https`` …), a
sentence for people, and the fix. The same objects render as the text the command prints
as it goes and as the JSON document ``--json`` prints for CI, so the two cannot disagree.

Nothing here may hold a secret: checks describe keys by type, size, format and the
fingerprint of their public half, never by their content or a signature.
"""

from __future__ import annotations

import json
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, TextIO

Status = Literal["pass", "fail", "skip"]

#: The JSON document's shape; bump it when a field changes meaning.
REPORT_VERSION = 1

LABELS: dict[str, str] = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}


@dataclass
class Check:
    """One verdict: ``id`` names the question, ``code`` the answer."""

    id: str
    title: str
    status: Status
    code: str
    message: str
    fix: Optional[str] = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status, "code": self.code,
                "message": self.message, "fix": self.fix, "details": self.details}


def passed(id: str, title: str, message: str, code: str = "ok", **details: Any) -> Check:
    return Check(id, title, "pass", code, message, None, details)


def failed(id: str, title: str, code: str, message: str, fix: str, **details: Any) -> Check:
    return Check(id, title, "fail", code, message, fix, details)


def skipped(id: str, title: str, message: str, code: str = "not_run", **details: Any) -> Check:
    return Check(id, title, "skip", code, message, None, details)


@dataclass
class Report:
    """Every check of one run, and where the configuration came from."""

    env: Optional[str] = None
    api_base: Optional[str] = None
    sources: dict[str, str] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no check failed (checks that could not apply are listed as skipped)."""
        return not any(check.failed for check in self.checks)

    def count(self, status: Status) -> int:
        return sum(1 for check in self.checks if check.status == status)

    def get(self, check_id: str) -> Optional[Check]:
        return next((check for check in self.checks if check.id == check_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": REPORT_VERSION,
            "ok": self.ok,
            "env": self.env,
            "api_base": self.api_base,
            "sources": self.sources,
            "summary": {"passed": self.count("pass"), "failed": self.count("fail"), "skipped": self.count("skip")},
            "checks": [check.to_json() for check in self.checks],
        }

    def summary_line(self) -> str:
        total = len(self.checks)
        skipped_note = f", {self.count('skip')} not checked" if self.count("skip") else ""
        if self.ok:
            return f"All {self.count('pass')} checks passed{skipped_note}."
        names = ", ".join(check.title for check in self.checks if check.failed)
        return f"{self.count('fail')} of {total} checks failed ({names}){skipped_note}."


class Printer:
    """Says what the doctor is doing and what it found, as it goes.

    In text mode everything goes to ``out``; with ``--json`` the progress goes to ``err``
    and ``out`` receives only the JSON document at the end, so CI can parse stdout.
    """

    WIDTH = 100

    def __init__(self, out: TextIO = sys.stdout, err: TextIO = sys.stderr, *, as_json: bool = False) -> None:
        self.out = out
        self.err = err
        self.as_json = as_json

    @property
    def _talk(self) -> TextIO:
        return self.err if self.as_json else self.out

    def say(self, text: str) -> None:
        print(text, file=self._talk, flush=True)

    def check(self, check: Check) -> None:
        head = f"  {LABELS[check.status]}  {check.title}: {check.message}"
        lines = [textwrap.fill(head, self.WIDTH, subsequent_indent=" " * 8, break_on_hyphens=False,
                               break_long_words=False)]
        if check.fix:
            lines.append(textwrap.fill("Fix: " + check.fix, self.WIDTH, initial_indent=" " * 8,
                                       subsequent_indent=" " * 13, break_on_hyphens=False, break_long_words=False))
        print("\n".join(lines), file=self._talk, flush=True)

    def finish(self, report: Report) -> None:
        self.say("")
        self.say(report.summary_line())
        if self.as_json:
            json.dump(report.to_json(), self.out, indent=2, ensure_ascii=False)
            self.out.write("\n")
            self.out.flush()
