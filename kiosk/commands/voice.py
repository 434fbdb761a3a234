"""`kiosk voice install FILE | list | say TEXT --out F`: the gentle voice (docs/guide/voice.md)."""

from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kiosk.adapters.speech import SpeechService
from kiosk.adapters.speech_engines import engine_for, piper_installed
from kiosk.adapters.voice_setup import read_scripts, scripts_folder
from kiosk.adapters.voices import install_voice, installed_voices
from kiosk.errors import UserError


def register(sub: Any) -> None:
    p = sub.add_parser("voice", help="the gentle voice: install a Piper voice, list voices, try one")
    vsub = p.add_subparsers(dest="voice_command", metavar="ACTION")
    ip = vsub.add_parser(
        "install", help="copy a Piper voice (NAME.onnx + NAME.onnx.json) in, e.g. from a stick"
    )
    ip.add_argument("file", metavar="FILE", help="the voice's .onnx file (its .onnx.json must sit beside it)")
    ip.add_argument("--licence", default="", help="the voice's licence, when no MODEL_CARD sits beside it")
    ip.set_defaults(func=run_install)
    lp = vsub.add_parser("list", help="installed voices (licence, language), the speech engine, the scripts")
    lp.add_argument("--json", action="store_true", help="JSON instead of text")
    lp.set_defaults(func=run_list)
    sp = vsub.add_parser("say", help="render TEXT with the kiosk's voice into a WAV file (to listen to it)")
    sp.add_argument("text", metavar="TEXT")
    sp.add_argument("--out", required=True, metavar="FILE", help="the WAV file to write")
    sp.add_argument("--voice", default=None, help="an installed voice's name (default: [voice] voice)")
    sp.set_defaults(func=run_say)
    p.set_defaults(func=lambda args, ctx: (p.print_help(), 2)[1])


def run_install(args: argparse.Namespace, ctx: Any) -> int:
    voice = install_voice(Path(args.file), ctx.data_dir, licence=args.licence)
    print(
        f"installed voice {voice.name} ({voice.language}, {voice.sample_rate} Hz), licence: {voice.licence}"
    )
    if not piper_installed():
        print("note: the Piper speech engine is not installed here: pip install 'encore-kiosk[voice]'")
    return 0


def run_list(args: argparse.Namespace, ctx: Any) -> int:
    from kiosk.adapters.docstore import DataFolder
    from kiosk.adapters.voice_switches import effective_config, stored_switches

    # staff's switches (the Voice panel) over kiosk.toml's
    config = effective_config(ctx.config().voice, stored_switches(DataFolder(ctx.data_dir)))
    voices = installed_voices(ctx.data_dir)
    engine, reason = engine_for(ctx.data_dir, config.voice, length_scale=config.pace)
    scripts, problems = read_scripts(scripts_folder(config, ctx.data_dir))
    if args.json:
        doc = {
            "voices": [asdict(v) for v in voices],
            "engine": engine.voice_id if engine is not None else None,
            "speaks": bool(engine is not None and config.enabled),
            "why_not": reason or ("" if config.enabled else "[voice] enabled is false"),
            "scripts": [{"name": s.name, "title": s.title, "parts": len(s.parts)} for s in scripts],
            "script_problems": problems,
        }
        print(json.dumps(doc, indent=1, ensure_ascii=False))
        return 0
    if not voices:
        print("no voices installed (kiosk voice install FILE)")
    for v in voices:
        print(f"{v.name}  {v.language}  {v.sample_rate} Hz  licence: {v.licence}  installed {v.installed_at}")
    print(f"piper engine: {'installed' if piper_installed() else 'not installed (encore-kiosk[voice])'}")
    if not config.enabled:
        print("the kiosk does not speak: switched off (staff screen's Voice panel, or [voice] enabled)")
    elif engine is None:
        print(f"the kiosk does not speak: {reason}")
    else:
        print(f"the kiosk speaks with {engine.voice_id}")
    for s in scripts:
        print(f"script {s.name}: {s.title} ({len(s.parts)} parts)")
    for problem in problems:
        print(f"script problem: {problem}")
    return 0


def run_say(args: argparse.Namespace, ctx: Any) -> int:
    config = ctx.config().voice
    wanted = config.voice if args.voice is None else args.voice
    engine, reason = engine_for(ctx.data_dir, wanted, length_scale=config.pace)
    if engine is None:
        raise UserError(f"cannot speak: {reason}")
    text = args.text.strip()
    if not text:
        raise UserError("TEXT is empty: nothing to say")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UserError(f"{out}: the folder {out.parent} does not exist")
    speech = SpeechService(engine, ctx.data_dir, cache_mb=config.cache_mb)
    try:
        speech.prepare(text)
        speech.wait_idle(timeout_s=300.0)
        clip = speech.ready(text)
    finally:
        speech.close()
    if clip is None:
        raise UserError(f"the voice {engine.voice_id} could not render this text")
    try:
        shutil.copyfile(clip.path, out)
    except OSError as exc:
        raise UserError(f"{out}: cannot be written ({exc.strerror or exc})") from None
    print(f"{out}: {clip.duration_s:.1f} s of speech ({engine.voice_id})")
    return 0
