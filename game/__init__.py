"""Mesa Sandbox: the app (scenes, rendering, widgets) and, under game.world, the headless simulation."""
