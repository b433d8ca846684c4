"""Level files: the format, level codes and the built-in levels. No pygame, no torch."""
from levels.format import (CURRENT_VERSION, FORMAT_NAME, Level, LevelError, Problem, load_level, level_to_dict,
                           level_to_json, parse_level, parse_level_text, save_level)
from levels.code import level_from_code, level_to_code
from levels.builtin_levels import builtin_level, builtin_names, builtin_path, named_level, published_cases

__all__ = ["CURRENT_VERSION", "FORMAT_NAME", "Level", "LevelError", "Problem", "load_level", "level_to_dict",
           "level_to_json", "parse_level", "parse_level_text", "save_level", "level_from_code", "level_to_code",
           "builtin_level", "builtin_names", "builtin_path", "named_level", "published_cases"]
