"""A fix to pygame_gui 0.6.14, applied once before the first widget is made.

`UIAppearanceTheme.build_all_combined_ids` memoizes each widget's theme ids under a key built with nested
`str.join`s (`str(a).join(str(b).join(str(c)).join(str(d)))`): each join puts the whole separator between every
character of the other string, so the key grows with the product of the lengths. In the editor the keys averaged
0.9 MB and reached 8.7 MB, built and hashed for every widget made: most of the time of a click that rebuilds a
side panel. The same memo under a tuple of the ids gives the same ids (the method's body is pygame_gui's, MIT).
"""
from __future__ import annotations

from pygame_gui.core.ui_appearance_theme import UIAppearanceTheme

ORIGINAL = UIAppearanceTheme.build_all_combined_ids  # pygame_gui's own (tests compare the two)


def _ids_key(*id_lists) -> tuple:
    return tuple(None if ids is None else tuple(ids) for ids in id_lists)


def build_all_combined_ids(self, element_base_ids, element_ids, class_ids, object_ids) -> list[str]:
    key = _ids_key(element_base_ids, element_ids, class_ids, object_ids)
    memo = self.unique_theming_ids  # pygame_gui's own memo (its string keys and these tuples never meet)
    if key in memo:
        return memo[key]
    combined_ids: list[str] = []
    if object_ids is not None and element_ids is not None and class_ids is not None and element_base_ids is not None:
        if not len(object_ids) == len(class_ids) == len(element_base_ids) == len(element_ids):
            raise ValueError(f"Object & class ID hierarchy is not equal in length to Element ID hierarchy: "
                             f"Element IDs: {element_ids}\nClass IDs: {class_ids}\n\nObject IDs: {object_ids}\n")
        if element_ids:
            self._get_next_id_node(None, element_base_ids, element_ids, class_ids, object_ids, 0, len(element_ids),
                                   combined_ids)
        # Then each id without its leading parts, shortest last (less specific).
        current_ids = combined_ids[:]
        found_all_ids = False
        while current_ids and not found_all_ids:
            for index, current_id in enumerate(current_ids):
                stop = current_id.find(".")
                if stop == -1:
                    found_all_ids = True
                else:
                    current_ids[index] = current_id[stop + 1:]
                    combined_ids.append(current_ids[index])
    memo[key] = combined_ids
    return combined_ids


def apply() -> None:
    UIAppearanceTheme.build_all_combined_ids = build_all_combined_ids
