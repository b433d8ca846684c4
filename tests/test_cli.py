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
