"""The ``ocrbot`` command."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from bot.config import Settings
from bot.ocr.base import DocType, OcrError


@click.group()
def main() -> None:
    """wechat-ocr-bot: identity-document recognition for WeChat."""


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(burst: bool) -> None:
    """Run an RQ worker (the engine is loaded once, before the first job)."""
    import worker as worker_module

    worker_module.main(burst=burst)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True, type=int)
@click.option(
    "--webhook",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Where the bot listens: the emulator delivers messages to <webhook>/wechat and /wecom.",
)
def emulator(host: str, port: int, webhook: str) -> None:
    """Run the WeChat API emulator (tokens, media, pushes, OCR) with the bot's credentials."""
    from bot.devtools.emulator import EmulatorConfig, serve

    serve(EmulatorConfig.from_settings(Settings(), webhook_base=webhook), host, port)


@main.command()
@click.option(
    "--type",
    "doc_type",
    type=click.Choice([t.value for t in DocType]),
    default=DocType.AUTO.value,
    show_default=True,
    help="Document type; auto lets the engine decide (local engine only).",
)
@click.option(
    "--engine",
    "engine_name",
    default=None,
    help="local, wechat or a chain such as wechat,local (default: OCR_ENGINE).",
)
@click.option("--mode", type=click.Choice(["photo", "scan"]), default="photo", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line per file.")
@click.option("--unmasked", is_flag=True, help="Show full ID and card numbers.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def recognize(
    doc_type: str,
    engine_name: str | None,
    mode: str,
    as_json: bool,
    unmasked: bool,
    files: tuple[str, ...],
) -> None:
    """Recognize image FILES (the models load once for all of them)."""
    from bot import cards
    from bot.runtime import Runtime

    settings = Settings()
    if engine_name:
        settings = settings.model_copy(update={"ocr_engine": engine_name})
    engine = Runtime(settings).engine
    kind = DocType(doc_type)
    failed = 0
    for name in files:
        try:
            result = engine.recognize(Path(name).read_bytes(), kind, mode=mode)
        except OcrError as error:
            failed += 1
            line = {
                "file": name,
                "doc_type": kind.value,
                "errcode": error.errcode or -1,
                "errmsg": str(error),
                "failure": error.failure.value,
            }
            click.echo(json.dumps(line, ensure_ascii=False) if as_json else f"{name}: {error}")
            continue
        if not as_json:
            click.echo(f"== {name}\n{cards.render(result, masked=not unmasked)}\n")
            continue
        fields = result.fields if unmasked else cards.mask(result.doc_type, result.fields)
        line = {
            "file": name,
            "doc_type": result.doc_type.value,
            "errcode": 0,
            "errmsg": "ok",
            **fields,
            "checks": [asdict(c) for c in cards.checks(result.doc_type, result.fields)],
            "warnings": result.warnings,
        }
        click.echo(json.dumps(line, ensure_ascii=False))
    sys.exit(1 if failed == len(files) else 0)


if __name__ == "__main__":
    main()
