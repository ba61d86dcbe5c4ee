"""The `technopark` command: the project's own commands plus every Django management command.

Exit codes (a contract other tools rely on): 0 success; 2 bad input, with `FILE:LINE: message`
errors on stderr and nothing written; 1 anything else. With `--json` a command prints exactly
one JSON document on stdout.
"""

from __future__ import annotations

import os
import sys


def _project_help() -> str:
    from django.core.management import get_commands, load_command_class

    lines = [
        "usage: technopark COMMAND [options]",
        "",
        "technopark: the registry, incentives, finance and site finder for parks and zones.",
        "",
        "Commands:",
    ]
    commands = get_commands()
    ours = sorted(name for name, app in commands.items() if app.startswith("technopark."))
    for name in ours:
        try:
            summary = (load_command_class(commands[name], name).help or "").strip().splitlines()
        except Exception:  # a broken command must not hide the others
            summary = []
        lines.append(f"  {name:<20} {summary[0] if summary else ''}")
    others = sorted(set(commands) - set(ours))
    lines += ["", "Django commands (technopark COMMAND --help for each):"]
    for i in range(0, len(others), 6):
        lines.append("  " + ", ".join(others[i : i + 6]))
    lines += ["", "Exit codes: 0 success, 2 bad input, 1 other errors. --json: one JSON document."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "technopark.config.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"technopark: configuration error: {exc}\n")
        sys.exit(1)
    if len(argv) < 2 or (argv[1] in {"-h", "--help", "help"} and len(argv) == 2):
        sys.stdout.write(_project_help() + "\n")
        return
    execute_from_command_line(["technopark", *argv[1:]])


if __name__ == "__main__":
    main()
