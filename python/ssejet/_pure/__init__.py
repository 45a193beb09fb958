"""The pure-Python backend: module for module the twin of the Rust core in ``rust/``."""
