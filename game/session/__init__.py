"""The window's logic without pygame: the learner handle, the training curve, deployment counts, evaluation, the
verdict and its words, value and policy maps. Screens read and drive these; tests drive them headless."""
