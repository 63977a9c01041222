"""The knowledge base: clinical rules kept as data (``data/*.yaml``) under a strict schema.

``load_knowledge()`` reads, validates and caches it; a malformed knowledge base raises
:class:`mgpn.errors.KnowledgeError` at start-up, never in the middle of an evaluation.
"""

from mgpn.knowledge.loader import disclaimer, load_knowledge, read_knowledge
from mgpn.knowledge.schema import KnowledgeBase

__all__ = ["KnowledgeBase", "disclaimer", "load_knowledge", "read_knowledge"]
