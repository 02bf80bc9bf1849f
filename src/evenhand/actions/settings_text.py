"""The settings written out: the settings file `evenhand init` writes (every setting with
its description and value; secrets left to the environment) and docs/reference/settings.md
(`make docs`; a test holds the file to the code)."""

from __future__ import annotations

from pydantic import SecretStr

from evenhand.domain.value import LtvMetric
from evenhand.settings import Settings
from evenhand.understand.llm_schema import LlmMode


def settings_file_text(settings: Settings) -> str:
    """A settings file with every field, its description and its current value."""
    lines = ["# Evenhand settings. Environment variables EVENHAND_<NAME> override these.", ""]
    for name, info in Settings.model_fields.items():
        value = getattr(settings, name)
        lines.append(f"# {info.description}")
        if value is None or isinstance(value, SecretStr):  # secrets belong in the environment
            lines.append(f'# {name} = "..."')
        else:
            lines.append(f"{name} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def settings_reference() -> str:
    """docs/reference/settings.md: every setting, its default and meaning, from the code
    (`make docs` writes it; a test holds the file to this)."""
    defaults = Settings.model_construct()
    lines = [
        "# Settings",
        "",
        "<!-- Generated from src/evenhand/settings.py by `make docs`; edit the code, not this. -->",
        "",
        "Environment variables `EVENHAND_<NAME>` override the settings file (`evenhand.toml` in",
        "the working folder, or the file named by `EVENHAND_SETTINGS`), which overrides the",
        "defaults. `evenhand init` writes the file with every setting described; secrets are",
        "never written there: give them as environment variables.",
        "",
        "| setting | environment variable | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, info in Settings.model_fields.items():
        value = getattr(defaults, name)
        shown = "unset" if value is None else f"`{_toml_value(value).strip(chr(34))}`"
        lines.append(f"| `{name}` | `EVENHAND_{name.upper()}` | {shown} | {info.description} |")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value.value) if isinstance(value, LtvMetric | LlmMode) else str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
