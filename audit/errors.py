"""The toolkit's own error types.

Every error a user can cause (a bad file, a bad option, a bot that cannot be reached) is an
``AuditError``. The CLI prints it as ``error: ...`` (prefixed with ``path:line:column:`` when it
points into a file) and exits 1, never with a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in a file, located by 1-based line and column when known."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def location(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class AuditError(Exception):
    """A user-facing error: printed as one line (plus an optional hint), exit status 1."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def format(self) -> str:
        text = f"error: {self.message}"
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text


class FileError(AuditError):
    """An error located in a file: ``path:line:column: message``."""

    def __init__(self, problem: Problem, *, hint: str | None = None):
        super().__init__(str(problem), hint=hint)
        self.problem = problem


class ValidationError(AuditError):
    """Invalid input. Either a value error (bad argument) or a list of problems in files."""

    def __init__(self, message: str, problems: list[Problem] | None = None, *, hint=None):
        super().__init__(message, hint=hint)
        self.problems = list(problems or [])

    def format(self) -> str:
        if not self.problems:
            return super().format()
        lines = [str(p) for p in self.problems]
        lines.append(f"error: {self.message}")
        return "\n".join(lines)
