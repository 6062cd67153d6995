"""Training and distillation commands for kg's models (not part of the installed package)."""
