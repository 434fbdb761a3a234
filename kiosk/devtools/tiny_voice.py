"""A tiny Piper voice for tests and benches: the real Piper loads and runs it, and it hums instead of speaking.

Real Piper voices are 20-110 MB VITS models that cannot be fetched here. This builds an ONNX graph with the
inputs and output Piper's ``PiperVoice`` feeds and reads (``input`` phoneme ids [1, N], ``input_lengths`` [1],
``scales`` [noise, length, noise_w] -> audio [1, 1, 1, T]) and a voice JSON with the fields Piper needs
(English espeak phonemes). Its output is a 180 Hz tone with a 4 Hz syllable-like swell, ``HOP`` samples per
phoneme id times the length scale, so the audio's length follows the text the way speech does.
Needs the ``onnx`` package (a dev dependency), not Piper.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SAMPLE_RATE = 22050
HOP = 1024  # samples per phoneme id (Piper pads ids, so ~2 ids per phoneme: about 90 ms a phoneme)


def phoneme_ids() -> dict[str, list[int]]:
    """Piper's layout (pad "_" 0, start "^" 1, end "$" 2) over ASCII and the IPA blocks espeak-ng uses."""
    chars = [chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0x250, 0x370)]
    chars += ["æ", "ç", "ð", "ø", "ŋ", "œ", "θ", "χ", "ᵻ", "ⱱ", "↓", "↑", "→", "↗", "↘"]
    ids: dict[str, list[int]] = {"_": [0], "^": [1], "$": [2]}
    for ch in chars:
        if ch not in ids:
            ids[ch] = [len(ids)]
    return ids


def build_tiny_voice(folder: Path, name: str = "en_GB-tiny-test", licence: str = "CC0 (test voice)") -> Path:
    """Write ``NAME.onnx``, ``NAME.onnx.json`` and a ``MODEL_CARD`` into ``folder``; returns the .onnx path."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def const(name: str, value: Any, dtype: Any) -> Any:
        array = np.array(value, dtype=dtype)
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(array, name))

    nodes = [
        const("hop", [float(HOP)], np.float32),
        const("one_idx", [1], np.int64),
        const("zero_i", 0, np.int64),
        const("one_i", 1, np.int64),
        const("w_tone", 2 * np.pi * 180.0 / SAMPLE_RATE, np.float32),
        const("w_swell", 2 * np.pi * 4.0 / SAMPLE_RATE, np.float32),
        const("half", 0.5, np.float32),
        const("amp", 0.4, np.float32),
        const("shape", [1, 1, 1, -1], np.int64),
        helper.make_node("Cast", ["input_lengths"], ["len_f"], to=TensorProto.FLOAT),
        helper.make_node("Gather", ["scales", "one_idx"], ["length_scale"], axis=0),
        helper.make_node("Mul", ["len_f", "hop"], ["n0"]),
        helper.make_node("Mul", ["n0", "length_scale"], ["n1"]),
        helper.make_node("Floor", ["n1"], ["n2"]),
        helper.make_node("Cast", ["n2"], ["n3"], to=TensorProto.INT64),
        helper.make_node("Squeeze", ["n3"], ["limit"]),
        helper.make_node("Range", ["zero_i", "limit", "one_i"], ["t_i"]),
        helper.make_node("Cast", ["t_i"], ["t"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["t", "w_tone"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["tone"]),
        helper.make_node("Mul", ["t", "w_swell"], ["phase2"]),
        helper.make_node("Sin", ["phase2"], ["swell0"]),
        helper.make_node("Mul", ["swell0", "half"], ["swell1"]),
        helper.make_node("Add", ["swell1", "half"], ["swell"]),
        helper.make_node("Mul", ["tone", "swell"], ["voiced"]),
        helper.make_node("Mul", ["voiced", "amp"], ["audio"]),
        helper.make_node("Reshape", ["audio", "shape"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_piper_voice",
        [
            helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
            helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, 1, "time"])],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="encore-tests"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.onnx"
    path.write_bytes(model.SerializeToString())
    config = {
        "audio": {"sample_rate": SAMPLE_RATE, "quality": "x_low"},
        "espeak": {"voice": "en"},
        "language": {"code": "en_GB"},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_id_map": phoneme_ids(),
        "num_symbols": len(phoneme_ids()),
        "num_speakers": 1,
        "speaker_id_map": {},
        "piper_version": "1.0.0",
    }
    (folder / f"{name}.onnx.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    (folder / "MODEL_CARD").write_text(f"# Tiny test voice\n\n* License: {licence}\n", encoding="utf-8")
    return path
