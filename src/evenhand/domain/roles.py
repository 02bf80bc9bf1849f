"""Who a user of the web UI is to Evenhand."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"  # reads, approves, overrides
    MANAGER = "manager"  # also edits the guide, manages users and tokens
