"""The edits that name things: the menus of what a rule, goal or proxy can name, an event changed without leaving
its row invalid, regions drawn, renamed (everywhere) and deleted, entities renamed (everywhere). A part of
`levels.document.LevelDocument`."""
from __future__ import annotations

from levels.document_undo import edit
from levels.places import parts
from levels.vocabulary import COLORS, ENTITY_EVENTS, EVENT_KINDS, EVENTS, TILE_KINDS


class NameEdits:
    doc: dict

    @edit
    def rename_entity(self, old: str, new: str) -> str | None:
        """A new id for an entity, followed everywhere it is named (spawns, "on", rules, goal, proxies). Returns
        why not, or None."""
        new = new.strip()
        ids = {e.get("id") for e in self.doc.get("entities", [])}
        if not new:
            return "An entity needs an id."
        if new != old and new in ids:
            return f"There is already an entity called \"{new}\"."
        for e in self.doc.get("entities", []):
            if e.get("id") == old:
                e["id"] = new
        for part in parts(self.doc):
            spawns = part.get("spawns", {})
            part["spawns"] = {(new if k == old else k): v for k, v in spawns.items()}
            for spawn in part["spawns"].values():
                if isinstance(spawn, dict) and spawn.get("on") == old:
                    spawn["on"] = new
        for _, h in self._happenings():
            if h.get("what") == old and h.get("event") in ENTITY_EVENTS:
                h["what"] = new
            if h.get("only_if_present") == old:  # a rule or proxy that applies only while this entity is present
                h["only_if_present"] = new
        return None

    def what_choices(self, event: str) -> list[tuple[str, str]]:
        """(label, value) for every `what` the event can name in this level, as a person reads them: "coin1 (a
        coin)", "any coin", "anything red", "yellow floor", a region's name. Only things the event can happen to."""
        if event in ENTITY_EVENTS:
            things = [e for e in self.doc.get("entities", []) if isinstance(e, dict) and e.get("kind") != "agent"]
            fits = [e for e in things if e.get("kind") in EVENT_KINDS[event]]
            kinds = list(dict.fromkeys(e["kind"] for e in fits))
            worn = set().union(*({e.get("color")} | self._colours_of(e.get("id")) for e in fits))
            colours = [c for c in COLORS if c in worn]
            return ([(f"{e['id']} (a {e['kind']})", e["id"]) for e in fits if isinstance(e.get("id"), str)]
                    + [(f"any {k}", k) for k in kinds] + [(f"anything {c}", c) for c in colours])
        if event == "entered_tile":
            return [(k.replace("_", " "), k) for k in TILE_KINDS]
        if event == "entered_region":
            return [(name, name) for name in self.doc.get("regions", {})]
        return []

    def _colours_of(self, entity_id) -> set:
        """The colours a distribution gives an entity (spawns and mixes)."""
        spawns = [part.get("spawns", {}).get(entity_id) for part in parts(self.doc)]
        return {s["color"] for s in spawns if isinstance(s, dict) and s.get("color")}

    @edit
    def set_event(self, path: tuple, event: str) -> None:
        """A new event for a rule, goal or proxy, keeping its `what` when the event can name it, else the first
        thing it can name: the row stays valid (an event that names nothing here falls back to a region or time)."""
        target = self._at(path)
        target["event"] = event
        if not EVENTS[event].needs_what:
            target.pop("what", None)
            return
        values = [v for _, v in self.what_choices(event)]
        if target.get("what") not in values:
            if values:
                target["what"] = values[0]
            else:
                target.update(self._happening())

    def _at(self, path: tuple):
        target = self.doc
        for part in path:
            target = target[part]
        return target

    @edit
    def add_region(self, rect: tuple[int, int, int, int]) -> str:
        regions = self.doc.setdefault("regions", {})
        n = 1
        while f"region {n}" in regions:
            n += 1
        regions[f"region {n}"] = [list(rect)]
        return f"region {n}"

    @edit
    def set_region(self, name: str, rects: list) -> None:
        self.doc.setdefault("regions", {})[name] = [list(r) for r in rects]

    def region_users(self, name: str) -> list[str]:
        """What names the region, as a person would say it."""
        users = []
        for where, h in self._happenings():
            if h.get("event") == "entered_region" and h.get("what") == name:
                users.append(where)
        for split in ("training", "deployment"):
            d = self.doc.get(split, {})
            for k, part in enumerate([d] + d.get("mixes", [])):
                spawns, tiles, mix = part.get("spawns", {}), part.get("tiles", []), f" (mix {k})" if k else ""
                users += [f"where {e} starts in {split}{mix}" for e, sp in spawns.items()
                          if isinstance(sp, dict) and sp.get("region") == name]
                users += [f"a tile change in {split}{mix}" for t in tiles
                          if isinstance(t, dict) and t.get("region") == name]
        return users

    def _happenings(self):
        for i, rule in enumerate(self.doc.get("base_reward", {}).get("rules", [])):
            yield f"rule {i + 1}", rule
        yield "the intended goal", self.doc.get("intended_goal", {})
        for p in self.doc.get("proxies", []):
            yield f"the proxy \"{p.get('name')}\"", p

    @edit
    def rename_region(self, old: str, new: str) -> str | None:
        """Renames a region and everything that names it. Returns why not, or None."""
        new = new.strip()
        regions = self.doc.get("regions", {})
        if not new:
            return "A region needs a name."
        if new != old and new in regions:
            return f"There is already a region called \"{new}\"."
        self.doc["regions"] = {(new if k == old else k): v for k, v in regions.items()}
        for _, h in self._happenings():
            if h.get("event") == "entered_region" and h.get("what") == old:
                h["what"] = new
        for part in parts(self.doc):
            for item in list(part.get("spawns", {}).values()) + list(part.get("tiles", [])):
                if isinstance(item, dict) and item.get("region") == old:
                    item["region"] = new
        return None

    @edit
    def delete_region(self, name: str) -> str | None:
        """Deletes a region nothing names. Returns why not, or None."""
        users = self.region_users(name)
        if users:
            return f"\"{name}\" is still used by {', '.join(users[:4])}: change those first."
        self.doc.get("regions", {}).pop(name, None)
        return None
