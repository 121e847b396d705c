"""Controllers: what the window does, one concern each (training, files, moments, your digits)."""
