"""Driving the real window with posted events, as a person would."""
import time

import pygame
import pygame_gui


def frames(app, n=3):
    for _ in range(n):
        app.frame(1 / 60)


def click(app, element):
    """A real mouse click at the centre of a widget."""
    pos = element.rect.center
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    frames(app, 1)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    frames(app, 1)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    frames(app, 2)


def key(app, k, mod=0):
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode="", scancode=0))
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=mod, unicode="", scancode=0))
    frames(app, 2)


def run_until(app, condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        frames(app, 1)
        if condition():
            return True
        time.sleep(0.005)
    return False


# --- the editor ---------------------------------------------------------------------------------------------
def click_cell(app, scene, cell, button=1, shift=False):
    ox, oy, size = scene.canvas.geometry()
    pos = (int(ox + (cell[0] + 0.5) * size), int(oy + (cell[1] + 0.5) * size))
    if shift:
        pygame.key.set_mods(pygame.KMOD_SHIFT)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=button))
    frames(app, 2)
    pygame.key.set_mods(0)


def type_into(app, entry, text, enter=False):
    """What pygame_gui posts when a person edits a text field (and, with `enter`, presses Enter)."""
    entry.set_text(text)
    kind = pygame_gui.UI_TEXT_ENTRY_FINISHED if enter else pygame_gui.UI_TEXT_ENTRY_CHANGED
    pygame.event.post(pygame.event.Event(kind, text=text, ui_element=entry, ui_object_id=entry.most_specific_combined_id))
    frames(app, 2)


def choose(app, menu, value):
    """What pygame_gui posts when a person picks an option of a menu (only a listed option can be picked)."""
    label = next(text for text, v in (o if isinstance(o, tuple) else (o, o) for o in menu.options_list) if v == value)
    pygame.event.post(pygame.event.Event(pygame_gui.UI_DROP_DOWN_MENU_CHANGED, text=label, selected_option_id=value,
                                         ui_element=menu, ui_object_id=menu.most_specific_combined_id))
    frames(app, 2)


def palette_button(scene, tool):
    return next(b for b, t in scene.panel.palette.items() if t == tool)


def drag_cells(app, scene, start, end, shift=False):
    """Press on one cell of the editor's map, move to another, let go."""
    ox, oy, size = scene.canvas.geometry()
    at = [(int(ox + (c[0] + 0.5) * size), int(oy + (c[1] + 0.5) * size)) for c in (start, end)]
    if shift:
        pygame.key.set_mods(pygame.KMOD_SHIFT)
    for event in [pygame.event.Event(pygame.MOUSEMOTION, pos=at[0], rel=(0, 0), buttons=(0, 0, 0)),
                  pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=at[0], button=1),
                  pygame.event.Event(pygame.MOUSEMOTION, pos=at[1], rel=(0, 0), buttons=(1, 0, 0)),
                  pygame.event.Event(pygame.MOUSEBUTTONUP, pos=at[1], button=1)]:
        pygame.event.post(event)
        frames(app, 1)
    frames(app, 1)
    pygame.key.set_mods(0)


def finish_typing(app, entry, text):
    """A person types into a text field and presses Enter."""
    type_into(app, entry, text, enter=True)


def tab(app, scene, name):
    click(app, next(b for b, t in scene.tabs.items() if t == name))


def scroll_into_view(app, element, tries: int = 40) -> bool:
    """Roll the mouse wheel over the scrolling list that hides `element` until it shows whole, as a person would;
    False if it never does."""
    window = pygame.Rect((0, 0), app.size)
    for _ in range(tries):
        view = element.ui_container  # the innermost container that does not hold the element whole clips it
        while view is not None and view.get_rect().contains(element.rect):
            above = getattr(view, "ui_container", None)
            view = above if above is not view else None  # (the manager's root container is its own container)
        if view is None and window.contains(element.rect):
            return True
        area = (view.get_rect() if view is not None else window).clip(window)
        down = element.rect.bottom > area.bottom
        pygame.mouse.set_pos(area.center)
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=area.center, rel=(0, 0), buttons=(0, 0, 0)))
        pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-1 if down else 1, flipped=False,
                                             precise_x=0.0, precise_y=-1.0 if down else 1.0))
        frames(app, 2)
    return False


# --- layout -------------------------------------------------------------------------------------------------
def shown(app) -> list:
    """The widgets placed directly on the screen (not inside a panel or a list) that are visible now."""
    from pygame_gui.core import UIContainer
    from pygame_gui.elements import UIVerticalScrollBar
    root = app.scene.root
    return [e for e in app.ui.get_sprite_group().sprites()
            if e.ui_container is root and e.visible and e.rect.w > 1 and e.rect.h > 1
            and not isinstance(e, (UIContainer, UIVerticalScrollBar))]  # parts of a slider, list or text box


TALLER = 1.1  # a font's line height holds some leading above and below the glyphs: a tenth more still shows whole


def cut_text(app) -> list[str]:
    """Buttons and labels on screen whose text is wider or taller than what they show (pygame_gui cuts it at the
    border; a list's items were once 20 px tall whatever the font); a scroll bar's arrows (one character drawn as an
    icon) aside. pygame_gui's own windows name their buttons by translation keys ("pygame-gui.OK"): what they show
    is measured."""
    from pygame_gui.core.utility import translate
    from pygame_gui.elements import UIButton, UILabel
    from game.widgets import text_room
    cut = []
    for e in app.ui.get_sprite_group().sprites():
        if isinstance(e, (UIButton, UILabel)) and e.visible and len(e.text) > 1 and e.font is not None:
            w, h = e.font.size(translate(e.text))
            if w > text_room(e) or h > TALLER * e.rect.h:
                cut.append(f"{type(e).__name__} {e.text!r}: {(w, h)} px of text in {text_room(e)} x {e.rect.h}")
    return cut


def check_layout(app, where: str) -> None:
    cut = cut_text(app)
    assert not cut, f"{where}: {cut}"
    window = pygame.Rect((0, 0), app.size)
    elements = shown(app)
    assert elements, where
    for e in elements:
        assert window.contains(e.rect), f"{where}: {type(e).__name__} {e.rect} leaves the {app.size} window"
    for k, a in enumerate(elements):
        for b in elements[k + 1:]:
            assert not a.rect.colliderect(b.rect), f"{where}: {type(a).__name__} {a.rect} overlaps " \
                                                    f"{type(b).__name__} {b.rect}"
