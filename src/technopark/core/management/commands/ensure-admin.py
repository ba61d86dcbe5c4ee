"""Create a local administrator when there is none, printing its one-time password once."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Create the local administrator 'admin' if no superuser exists (password printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@localhost")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An administrator exists; nothing to do.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(options["username"], options["email"], password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created administrator '{options['username']}' with one-time password: {password}\n"
                "Sign in at /admin/ and change it; it is not shown again."
            )
        )
