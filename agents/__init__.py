"""Learning: envs over a level's distributions, learners, the training thread and evaluation. No pygame."""
