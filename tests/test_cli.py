import json

import pygame
import pytest

from game.cli import main
from levels import builtin_path, level_to_dict, builtin_level, load_level


def test_validate_ok_and_bad(tmp_path, capsys):
    assert main(["level", "validate", str(builtin_path("coin_at_the_end")), str(builtin_path("keys_and_chests"))]) == 0
    out = capsys.readouterr().out
    assert "Coin at the end" in out and "ok" in out
    bad = tmp_path / "bad.json"
    doc = level_to_dict(builtin_level("template_grid"))
    doc["entities"][0]["at"] = [99, 1]
    doc["episode_length"] = "long"
    bad.write_text(json.dumps(doc))
    assert main(["level", "validate", str(builtin_path("template_grid")), str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "entities[0].at" in err and "episode_length" in err and "Fix:" in err


def test_validate_missing_file(tmp_path, capsys):
    assert main(["level", "validate", str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_render_writes_a_png(tmp_path):
    out = tmp_path / "coin.png"
    assert main(["level", "render", "coin_at_the_end", "-o", str(out), "--split", "deployment", "--seed", "3"]) == 0
    image = pygame.image.load(str(out))
    level = builtin_level("coin_at_the_end")
    assert image.get_width() == level.width * 32 and image.get_height() > level.height * 32


def test_render_refuses_a_bad_level(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert main(["level", "render", str(bad), "-o", str(tmp_path / "x.png")]) == 2
    assert "format" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_code_and_from_code_round_trip(tmp_path, capsys):
    assert main(["level", "code", str(builtin_path("green_means_go"))]) == 0
    code = capsys.readouterr().out.strip()
    out = tmp_path / "green.json"
    assert main(["level", "from-code", code, "-o", str(out)]) == 0
    assert load_level(out) == builtin_level("green_means_go")
    assert main(["level", "from-code", "MSL1.garbage", "-o", str(tmp_path / "g.json")]) == 2
    assert "level code" in capsys.readouterr().err


def test_unknown_subcommand_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        main(["level", "explode"])
    assert info.value.code == 2


def test_a_code_is_exactly_one_stream_and_standard_input_is_read_only_so_far(tmp_path, capsys, monkeypatch):
    """Junk after a valid code's zlib stream was accepted; `yes MSL1AAAA | level from-code -` grew until memory ran
    out. Both are refused in words, exit 2, nothing written."""
    import base64
    import io
    import zlib
    from levels import level_to_code
    from levels.code import MAX_CODE_CHARS
    code = level_to_code(builtin_level("green_means_go"))
    packed = base64.urlsafe_b64decode(code[5:] + "=" * (-len(code[5:]) % 4))
    junk = "MSL1." + base64.urlsafe_b64encode(packed + zlib.compress(b"more")).decode().rstrip("=")
    out = tmp_path / "g.json"
    assert main(["level", "from-code", junk, "-o", str(out)]) == 2
    assert "more after its end" in capsys.readouterr().err and not out.exists()

    class Endless(io.TextIOBase):  # `yes MSL1AAAA`: never ends; reading all of it would never return
        read_so_far = 0

        def read(self, size=-1):
            assert size is not None and size >= 0, "standard input read without a bound"
            Endless.read_so_far += size
            return ("MSL1AAAA\n" * (size // 9 + 1))[:size]
    monkeypatch.setattr("sys.stdin", Endless())
    assert main(["level", "from-code", "-", "-o", str(out)]) == 2
    assert "longer than any level code" in capsys.readouterr().err and not out.exists()
    assert Endless.read_so_far <= 2 * MAX_CODE_CHARS + 1
    monkeypatch.setattr("sys.stdin", io.StringIO(code + "\n"))
    assert main(["level", "from-code", "-", "-o", str(out)]) == 0 and load_level(out) == builtin_level("green_means_go")


def test_evaluate_says_every_share_with_its_interval(tmp_path, capsys):
    """`evaluate` in words: each outcome, what was reached at all, and each condition's outcomes (a level whose rules
    apply only while someone watches) are shares of the episodes played: each with its 95 % interval."""
    import re
    import torch
    from agents.agent_file import AgentFile, save_agent
    from agents.observation import ObservationSpec
    from agents.policy import build_network
    from agents.training import TrainingSettings
    from levels import builtin_level
    level = builtin_level("only_while_watched")
    settings = TrainingSettings()
    spec = ObservationSpec.for_level(level, settings.agent.view, settings.agent.radius)
    torch.manual_seed(0)
    save_agent(tmp_path / "a.agent", AgentFile(build_network("reactive", spec, 5, settings.agent.hidden), level, spec,
                                               settings))
    assert main(["evaluate", str(tmp_path / "a.agent"), "--episodes", "40"]) == 0
    lines = capsys.readouterr().out.splitlines()
    reached = [line for line in lines if "at all:" in line]
    conditions = [line for line in lines if re.match(r"\s+(un)?watched: \d+ episodes: ", line)]
    assert reached and conditions, lines
    assert all(re.search(r"at all: \d+% \(\d+%-\d+%\)$", line) for line in reached), reached
    assert all(re.search(r"\d+% \(\d+%-\d+%\)$", line) for line in conditions), conditions
