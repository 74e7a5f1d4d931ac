"""What every import command checks before it imports: the file and the importing account."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import CommandError


def import_file_checked(file: Path) -> Path:
    """Return ``file``; a path that is not a file stops the command naming it."""
    if not file.is_file():
        raise CommandError(f"找不到文件 {file}")
    return file


def import_account(username: str | None) -> User | None:
    """Return the active account ``--user`` names (None: the server operator's system import)."""
    if not username:
        return None
    account = User.objects.filter(username=username, is_active=True).first()
    if account is None:
        raise CommandError(f"用户 {username} 不存在或已停用")
    return account
