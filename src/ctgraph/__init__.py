"""ctgraph: a knowledge graph of the UN Global Counter-Terrorism Strategy in Central Asia."""

__version__ = "0.1.0"
