"""The docs say what the code does: generated settings, the README's two commands, links."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from bot.cli import configuration_markdown, main
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEPLOY = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def test_configuration_md_is_generated_from_the_settings() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == configuration_markdown(), (
        "docs/configuration.md is stale: run `ocrbot config-docs --write`"
    )


def test_every_setting_is_documented_with_a_description() -> None:
    text = configuration_markdown()
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} needs a description= (it is the documentation)"
        assert f"| `{name.upper()}` |" in text


def test_config_docs_command_prints_the_same_text() -> None:
    result = CliRunner().invoke(main, ["config-docs"])
    assert result.exit_code == 0
    assert result.output == configuration_markdown()


def test_readme_quick_start_is_exactly_the_two_scripts() -> None:
    commands = re.findall(r"^\./scripts/\w+", README, re.M)
    assert commands[:2] == ["./scripts/dev", "./scripts/test"]
    assert set(commands) == {"./scripts/dev", "./scripts/test"}
    for script in ("dev", "test"):
        assert (ROOT / "scripts" / script).stat().st_mode & 0o111, f"scripts/{script} executable"
    assert "exec ocrbot dev" in (ROOT / "scripts" / "dev").read_text()
    assert "./scripts/test" in (ROOT / ".ci" / "run").read_text()


def local_links(markdown: str) -> list[str]:
    return re.findall(r"\]\(((?!https?://|#)[^)\s]+)\)", markdown)


def test_links_and_images_exist() -> None:
    assert "docs/simulator.png" in local_links(README)
    for text, base in ((README, ROOT), (DEPLOY, ROOT / "docs")):
        for target in local_links(text):
            assert (base / target.split("#")[0]).exists(), f"broken link {target}"


def test_docs_name_only_settings_that_exist() -> None:
    known = {name.upper() for name in Settings.model_fields}
    known |= {"PORT", "WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR"}  # gunicorn, prometheus
    mentioned = set(re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)[=`]", README + DEPLOY))
    assert mentioned - known == set()
