"""ssa: conjunction screening for space situational awareness.

Pipeline, one package per stage: catalog -> propagate -> screen -> assess
(Pc, CDM) -> respond (route to parties) -> serve (API, store, jobs).
"""
__version__ = "0.1.0"
