"""Small scripts shared by the CLI tests."""

#: A 20-second Dutch script with two sections and one elastic pause.
SHORT = """+++
track = 3
title = "Korte test: rust"
language = "nl"
length = "20s"
bed = "none"
+++

# Begin

Je kunt even rustig ademen.

[pause 2s..30s]

# Einde

Dat was het.
"""
